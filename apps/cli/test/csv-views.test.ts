// CSV and TSV wherever a command offers a table (issue 19): validate and fields (lint's are in lint.test.ts).
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tsigmaInProcess } from './in-process.js';

const WHOAMI = resolve(import.meta.dirname, 'fixtures/rules-whoami');

describe('csv and tsv views', () => {
  it('validate writes PATH, STATUS, ERRORS rows', async () => {
    const csv = await tsigmaInProcess(['validate', WHOAMI, '--output-format', 'csv']);
    expect(csv.code).toBe(0);
    expect(csv.stdout).toBe(`PATH,STATUS,ERRORS\r\n${resolve(WHOAMI, 'whoami.yml')},ok,0\r\n`);
    const tsv = await tsigmaInProcess(['validate', WHOAMI, '--output-format', 'tsv']);
    expect(tsv.stdout).toBe(`PATH\tSTATUS\tERRORS\n${resolve(WHOAMI, 'whoami.yml')}\tok\t0\n`);
  });

  it('fields writes the field rows, and the mapping rows with --show-mapping', async () => {
    const r = await tsigmaInProcess(['fields', '-r', WHOAMI, '-p', 'ecs_windows', '--show-mapping', '--output-format', 'csv']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      'FIELD,RULES,SOURCES\r\nprocess.command_line,1,detection\r\nprocess.executable,1,detection\r\n' +
        '\nORIGINAL,MAPPED_TO,PIPELINE\r\nImage,process.executable,ecs_windows\r\nCommandLine,process.command_line,ecs_windows\r\n',
    );
    expect((await tsigmaInProcess(['fields', '-r', WHOAMI, '--output-format', 'tsv'])).stdout.split('\n')[0]).toBe('FIELD\tRULES\tSOURCES');
  });

  it('rejects csv where a command has no table', async () => {
    expect((await tsigmaInProcess(['explain', '-r', WHOAMI, '-e', '{}', '--output-format', 'csv'])).code).toBe(3);
  });
});
