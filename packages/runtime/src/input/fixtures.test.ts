import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeLine } from './decode-line.js';
import type { InputFormat } from './input-format.js';

const JUNE_2024 = () => Date.UTC(2024, 5, 1);

function decodeFixture(name: string, format: InputFormat, hasFilter = false): unknown[] {
  const text = readFileSync(new URL(`../../test/fixtures/input/${name}`, import.meta.url), 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => ({ line, decoded: decodeLine(line, format, hasFilter, JUNE_2024) }));
}

describe('mixed real-world lines', () => {
  it('auto-detects each line of a mixed stream', () => {
    expect(decodeFixture('mixed-auto.log', { kind: 'auto' })).toMatchSnapshot();
  });

  it('auto-detects with an EventFilter configured (arrays become JSON)', () => {
    expect(decodeFixture('mixed-auto.log', { kind: 'auto' }, true)).toMatchSnapshot();
  });

  it('parses the same lines as explicit syslog', () => {
    expect(decodeFixture('mixed-auto.log', { kind: 'syslog' })).toMatchSnapshot();
  });
});
