// What every publishable package.json must say about where it comes from (issue 20): one table, read by
// check-packs.mjs (which fails when a package disagrees) and by `node scripts/package-meta.mjs --write` (which
// fixes them, e.g. for a new package). The repository URL is the project's public home.
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const REPOSITORY = 'https://github.com/tsigma/tsigma';
/** ESM only: `require()` of these packages from CommonJS needs Node 20.19 (require(esm) without a flag). */
export const NODE_ENGINE = '>=20.19';

/** The publishable workspace packages: every package.json under packages/ and apps/ not marked private. */
export function publishablePackages() {
  const out = [];
  for (const root of ['packages', 'apps']) {
    for (const name of readdirSync(root)) {
      const dir = join(root, name);
      const file = join(dir, 'package.json');
      if (!existsSync(file)) continue;
      const pkg = JSON.parse(readFileSync(file, 'utf8'));
      if (pkg.private !== true) out.push({ dir, file, pkg });
    }
  }
  return out;
}

/** The fields `pkg` (in `dir`) must have, with their values. */
export function expectedMeta(dir) {
  return {
    license: 'MIT',
    repository: { type: 'git', url: `git+${REPOSITORY}.git`, directory: dir },
    homepage: `${REPOSITORY}/tree/main/${dir}#readme`,
    bugs: { url: `${REPOSITORY}/issues` },
    engines: { node: NODE_ENGINE },
    publishConfig: { access: 'public' },
  };
}

if (process.argv.includes('--write')) {
  for (const { dir, file, pkg } of publishablePackages()) {
    Object.assign(pkg, expectedMeta(dir));
    pkg.scripts = { ...pkg.scripts, prepack: 'tsup' };
    writeFileSync(file, JSON.stringify(pkg, null, 2) + '\n');
    copyFileSync('LICENSE', join(dir, 'LICENSE'));
  }
}
