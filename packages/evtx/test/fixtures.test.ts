// Snapshot test over the vendored fixtures: the full reader output (records and problems) of two small EVTX files,
// stored as reviewable JSON next to them. Runs without the shared corpus.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EvtxFileReader } from '../src/index.js';

const FIXTURES = resolve(import.meta.dirname, 'fixtures');

describe.each(['new-user-security.evtx', 'MSExchange_Management_wec.evtx'])('fixture %s', (name) => {
  it('matches its snapshot', async () => {
    const reader = EvtxFileReader.fromBuffer(readFileSync(resolve(FIXTURES, name)));
    const output = { header: reader.header, records: [...reader.recordsSync()], problems: reader.problems };
    const text = JSON.stringify(output, (_, value: unknown) => (typeof value === 'bigint' ? `${value}n` : value), 2);
    await expect(`${text}\n`).toMatchFileSnapshot(resolve(FIXTURES, `${name}.json`));
  });
});
