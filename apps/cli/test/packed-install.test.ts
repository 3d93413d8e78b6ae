// What `changeset publish` would put on the registry, installed by a stranger (issue 20): every publishable package
// is packed as published, the tarballs are installed with npm into an empty project (third-party dependencies come
// from the registry), and the installed code is used as documented: an ESM script and a type-checked TypeScript file
// that parse a rule and evaluate an event with @tsigma/parser and @tsigma/eval, and the installed `tsigma` binary.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const work = mkdtempSync(join(tmpdir(), 'tsigma-packed-'));
const tarballs = new Map<string, string>();

function publishableDirs(): string[] {
  const dirs: string[] = [];
  for (const root of ['packages', 'apps']) {
    for (const name of readdirSync(join(ROOT, root))) {
      const manifest = join(ROOT, root, name, 'package.json');
      if (!existsSync(manifest)) continue;
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { private?: boolean };
      if (pkg.private !== true) dirs.push(join(ROOT, root, name));
    }
  }
  return dirs;
}

/** Installs `names` (packed tarballs) into a fresh project; returns its directory. */
function installProject(label: string, names: string[]): string {
  const dir = join(work, label);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `try-${label}`, private: true, type: 'module' }));
  // Scripts off: nothing here needs a native build, and the CLI loads better-sqlite3's addon only for a cache file.
  execFileSync(
    'npm',
    ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', ...names.map((n) => tarballs.get(n) as string)],
    {
      cwd: dir,
      stdio: 'pipe',
    },
  );
  return dir;
}

function sizeOf(path: string): number {
  const info = statSync(path);
  if (!info.isDirectory()) return info.size;
  return readdirSync(path).reduce((n, entry) => n + sizeOf(join(path, entry)), 0);
}

const RULE = `title: Whoami
id: 5e8f1c2a-0000-4000-8000-000000000001
logsource: {product: windows, category: process_creation}
detection:
  selection:
    CommandLine|contains: whoami
  condition: selection
level: medium
`;
const LIBRARY_USE = `import { parseSigmaYaml } from '@tsigma/parser';
import { Engine, JsonEvent } from '@tsigma/eval';

const engine = new Engine();
const report = engine.addCollection(parseSigmaYaml(${JSON.stringify(RULE)}));
const results = engine.evaluate(new JsonEvent({ CommandLine: 'cmd /c WHOAMI /all' }));
const titles: string[] = results.map((r) => r.rule_title);
console.log(JSON.stringify({ loaded: report.rulesLoaded, titles }));
`;

let cliProject = '';
let libraryProject = '';

beforeAll(() => {
  const packs = join(work, 'packs');
  mkdirSync(packs);
  for (const dir of publishableDirs()) {
    const report = JSON.parse(
      execFileSync('pnpm', ['--config.ignore-scripts=true', 'pack', '--pack-destination', packs, '--json'], { cwd: dir, encoding: 'utf8' }),
    ) as { name: string; filename: string };
    tarballs.set(report.name, report.filename);
  }
  // The CLI's workspace dependencies resolve to these tarballs only because they are all installed together.
  cliProject = installProject('cli', [...tarballs.keys()]);
  libraryProject = installProject('library', ['@tsigma/parser', '@tsigma/eval']);
}, 300_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('packed packages installed with npm into an empty project', () => {
  it('@tsigma/parser and @tsigma/eval work from an ESM script', () => {
    writeFileSync(join(libraryProject, 'use.mjs'), LIBRARY_USE.replace(': string[]', ''));
    const run = spawnSync(process.execPath, ['use.mjs'], { cwd: libraryProject, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ loaded: 1, titles: ['Whoami'] });
  }, 60_000);

  it('their types check under moduleResolution nodenext with strict settings', () => {
    writeFileSync(join(libraryProject, 'use.ts'), LIBRARY_USE);
    writeFileSync(
      join(libraryProject, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2023', strict: true, noEmit: true, types: [] },
        files: ['use.ts'],
      }),
    );
    const tsc = spawnSync(process.execPath, [TSC, '-p', 'tsconfig.json'], { cwd: libraryProject, encoding: 'utf8' });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  }, 120_000);

  it('@tsigma/eval with its dependencies installs in under 4 MB', () => {
    const bytes = sizeOf(join(libraryProject, 'node_modules'));
    process.stderr.write(`install size of @tsigma/eval + @tsigma/parser with dependencies: ${(bytes / 2 ** 20).toFixed(2)} MiB\n`);
    expect(bytes).toBeLessThan(4 * 2 ** 20);
  });

  it('the installed tsigma binary validates a rule and evaluates an event', () => {
    writeFileSync(join(cliProject, 'whoami.yml'), RULE);
    const bin = join(cliProject, 'node_modules/.bin/tsigma');
    const validate = spawnSync(bin, ['validate', 'whoami.yml'], { cwd: cliProject, encoding: 'utf8' });
    expect(validate.status, validate.stderr).toBe(0);
    const evaluate = spawnSync(bin, ['eval', '-r', 'whoami.yml', '-e', '{"CommandLine": "whoami"}', '--output-format', 'ndjson'], {
      cwd: cliProject,
      encoding: 'utf8',
    });
    expect(evaluate.status, evaluate.stderr).toBe(0);
    expect(JSON.parse(evaluate.stdout)).toMatchObject({ rule_title: 'Whoami', level: 'medium' });
  }, 60_000);
});
