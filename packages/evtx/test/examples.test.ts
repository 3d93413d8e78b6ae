// Runs every file of examples/ (the source of the README's code blocks, see scripts/check-readme-examples.mjs)
// and checks what it prints, so a README snippet that stops working fails here.

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

/** Runs an example by importing it and returns what it printed with console.log, one string per call. */
async function printed(load: () => Promise<unknown>): Promise<string[]> {
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    lines.push(args.map(String).join(' '));
  });
  try {
    await load();
  } finally {
    spy.mockRestore();
  }
  return lines;
}

/** Fails when a file of examples/ has no test here (each one is a README snippet). */
function coversEveryExample(tested: string[]): void {
  it('runs every file of examples/', () => {
    const files = readdirSync(join(import.meta.dirname, '../examples')).filter((f) => f.endsWith('.ts'));
    expect(files.sort()).toEqual([...tested].sort());
  });
}

describe('examples', () => {
  coversEveryExample(['read-file.ts']);

  it('read-file.ts: lists the four records of the fixture', async () => {
    expect(await printed(() => import('../examples/read-file.js'))).toEqual([
      '#1 2013-10-23T16:22:39.973500Z Security 4728',
      '#2 2013-10-23T16:22:39.989125Z Security 4720',
      '#3 2013-10-23T16:22:39.989125Z Security 4732',
      '#4 2013-10-23T16:22:40.036000Z Security 4732',
      '0 problem(s)',
    ]);
  });
});
