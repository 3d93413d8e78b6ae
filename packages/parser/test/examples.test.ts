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
  coversEveryExample(['parse-string.ts', 'parse-file.ts']);

  it('parse-string.ts: keeps the good rule and locates the bad one', async () => {
    expect(await printed(() => import('../examples/parse-string.js'))).toEqual([
      'rule: Whoami (process_creation)',
      'rules/discovery.yml:16:5 error unknown_modifier at detection.selection.CommandLine|contians in "Net User"',
      'some documents were rejected',
    ]);
  });

  it('parse-file.ts: reads a file, a directory and a missing path', async () => {
    expect(await printed(() => import('../examples/parse-file.js'))).toEqual([
      'Whoami Execution, Net User Execution',
      'rules loaded: B',
      `${join('tree', 'sub', 'bad.yml')}:6:5 unknown_modifier at detection.sel.Image|contians`,
      'io',
    ]);
  });
});
