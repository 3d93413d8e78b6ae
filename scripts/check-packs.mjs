// Packs every publishable package as `changeset publish` would (after the build `pnpm test` has just run) and fails
// when a tarball would ship without its code, types, bin, LICENSE or README, with a `workspace:` range left in, or
// when package.json disagrees with the metadata table of package-meta.mjs (issue 20).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { expectedMeta, publishablePackages } from './package-meta.mjs';

const problems = [];
const out = mkdtempSync(join(tmpdir(), 'tsigma-packs-'));
try {
  const packages = publishablePackages();
  for (const { dir, pkg } of packages) {
    for (const [key, want] of Object.entries(expectedMeta(dir))) {
      if (!isDeepStrictEqual(pkg[key], want))
        problems.push(`${dir}/package.json: "${key}" must be ${JSON.stringify(want)} (node scripts/package-meta.mjs --write)`);
    }
    if (pkg.scripts?.prepack === undefined) problems.push(`${dir}/package.json: no "prepack" script, so a publish could ship without dist`);
    // Scripts off: the build already ran, and prepack would rebuild dist under tests that read it.
    const report = JSON.parse(
      execFileSync('pnpm', ['--config.ignore-scripts=true', 'pack', '--pack-destination', out, '--json'], { cwd: dir, encoding: 'utf8' }),
    );
    const files = new Set(report.files.map((f) => f.path));
    const needed = ['LICENSE', 'README.md', 'package.json'];
    if (pkg.exports !== undefined) needed.push('dist/index.js', 'dist/index.d.ts');
    for (const bin of Object.values(pkg.bin ?? {})) needed.push(bin.replace(/^\.\//, ''));
    for (const file of needed) if (!files.has(file)) problems.push(`${pkg.name}: the tarball has no ${file}`);
    const packed = execFileSync('tar', ['-xzOf', report.filename, 'package/package.json'], { encoding: 'utf8' });
    if (packed.includes('workspace:')) problems.push(`${pkg.name}: the packed package.json still holds a workspace: range`);
  }
  if (problems.length > 0) {
    for (const p of problems) console.error(`check-packs: ${p}`);
    process.exit(1);
  }
  console.log(`check-packs: ${packages.length} packages pack with dist, types, bins, LICENSE and README`);
} finally {
  rmSync(out, { recursive: true, force: true });
}
