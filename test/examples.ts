// Shared by every package's test/examples.test.ts: run an example file (a README snippet, see
// scripts/check-readme-examples.mjs) and capture what it prints, and check that every example has a test.
import { readdirSync } from 'node:fs';
import { expect, it, vi } from 'vitest';

/** Runs an example by importing it and returns what it printed with console.log, one string per call. */
export async function printed(load: () => Promise<unknown>): Promise<string[]> {
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

/** A test that fails when a file of `examplesDir` has no test in `tested` (each one is a README snippet). */
export function coversEveryExample(examplesDir: string, tested: string[]): void {
  it('runs every file of examples/', () => {
    const files = readdirSync(examplesDir).filter((f) => f.endsWith('.ts'));
    expect(files.sort()).toEqual([...tested].sort());
  });
}
