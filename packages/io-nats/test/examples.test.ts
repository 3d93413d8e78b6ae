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
  // source-to-sink.ts needs a nats-server: test/integration/examples.int.test.ts runs it.
  coversEveryExample(['partition.ts', 'source-to-sink.ts']);

  it('partition.ts: prints the mapping and the filter subjects', async () => {
    expect(await printed(() => import('../examples/partition.js'))).toEqual([
      'mappings = {\n  "logins.*": "logins.part.{{partition(2,1)}}.{{wildcard(1)}}"\n}\n',
      'logins.part.0.> logins.part.1.>',
    ]);
  });
});
