// Per-command --help, --version and closest-name suggestions (issue 19). Help lists the options each command
// declares to parseCommandArgs, so every declared option must appear with a description.
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { GLOBAL_OPTIONS, HelpRequested, type OptionSpecs } from '../src/args.js';
import { COMMAND_HELP, UNDESCRIBED } from '../src/help.js';
import { CANONICAL, COMMANDS } from '../src/run.js';
import { tsigmaInProcess } from './in-process.js';

const BIN = resolve(import.meta.dirname, '../dist/main.js');

/** The options a command declares, caught from its parseCommandArgs call. */
async function declaredOptions(name: string): Promise<OptionSpecs> {
  const command = COMMANDS[name];
  if (command === undefined) throw new Error(`no command ${name}`);
  const sink = { write: () => true };
  try {
    await command(['--help'], { stdout: sink, stderr: sink, stdin: new PassThrough(), env: {} });
  } catch (error) {
    if (error instanceof HelpRequested) return error.options;
    throw error;
  }
  throw new Error(`${name} --help did not ask for help`);
}

const canonical = [...new Set(Object.keys(COMMANDS).map((name) => CANONICAL[name] ?? name))].sort();

describe('per-command --help', () => {
  it('has a help entry for every command', () => {
    expect(Object.keys(COMMAND_HELP).sort()).toEqual(canonical);
  });

  for (const name of canonical) {
    it(`tsigma ${name} --help lists every option it declares, each described`, async () => {
      const options = await declaredOptions(name);
      const r = await tsigmaInProcess([...name.split(' '), '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout.startsWith(`Usage: tsigma ${name}`)).toBe(true);
      expect(r.stdout).not.toContain(UNDESCRIBED);
      const lines = r.stdout.split('\n');
      for (const [option, spec] of Object.entries({ ...options, ...GLOBAL_OPTIONS }) as [string, OptionSpecs[string]][]) {
        const line = lines.find((l) => new RegExp(`--${option}(\\s|$)`).test(l));
        expect(line, `--${option}`).toBeDefined();
        if (spec.short !== undefined) expect(line).toContain(`-${spec.short}, --${option}`);
      }
    });
  }

  it('answers -h and aliases with the same help, and `tsigma help <command>`', async () => {
    const eval1 = await tsigmaInProcess(['eval', '--help']);
    expect((await tsigmaInProcess(['engine', 'eval', '-h'])).stdout).toBe(eval1.stdout);
    expect((await tsigmaInProcess(['help', 'eval'])).stdout).toBe(eval1.stdout);
    expect(eval1.stdout).toContain('--jq <value>');
  });

  it('lists the subcommands of a command group', async () => {
    const r = await tsigmaInProcess(['rule', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('tsigma rule lint --help');
    expect((await tsigmaInProcess(['pipeline'])).stderr).toContain(
      'unknown command "pipeline"; it takes one of: pipeline resolve, pipeline diff',
    );
  });

  it('prints the global usage on --help without a command (exit 0) and without anything (exit 3)', async () => {
    const help = await tsigmaInProcess(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('lint <path>');
    const none = await tsigmaInProcess([]);
    expect(none.code).toBe(3);
    expect(none.stderr).toContain('Usage: tsigma <command>');
  });
});

describe('--version', () => {
  it('prints the package.json version with --version and -V', () => {
    const { version } = JSON.parse(readFileSync(resolve(import.meta.dirname, '../package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const r = spawnSync(process.execPath, [BIN, flag], { encoding: 'utf8' });
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(`tsigma ${version}\n`);
    }
  });
});

describe('suggestions', () => {
  it('suggests the closest command and exits 3', async () => {
    const r = await tsigmaInProcess(['evl', '-r', 'x']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('unknown command "evl"; did you mean "eval"?');
    expect((await tsigmaInProcess(['pipeline', 'dif'])).stderr).toContain('did you mean "pipeline diff"?');
  });

  it('suggests the closest flag of the command and exits 3', async () => {
    const r = await tsigmaInProcess(['lint', 'x', '--fail-levl', 'info']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('unknown option --fail-levl; did you mean --fail-level?');
    expect((await tsigmaInProcess(['eval', '-r', 'x', '--jsonpth', '$'])).stderr).toContain('did you mean --jsonpath?');
  });

  it('suggests the closest value of --output-format', async () => {
    const r = await tsigmaInProcess(['lint', 'x', '--output-format', 'sarf']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('not "sarf"; did you mean sarif?');
  });

  it('names no suggestion when nothing is close', async () => {
    const r = await tsigmaInProcess(['lint', 'x', '--zzzzzzzz']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('unknown option --zzzzzzzz (--help lists the options)');
  });
});
