// Spec 10 §10 test 4: decideStateRestore over every row of the §5 table.
import { describe, expect, it } from 'vitest';
import { decideStateRestore, type RestoreSituation } from './state-store.js';

const base: RestoreSituation = { clearState: false, keepState: false, natsInput: true, replay: { kind: 'resume' } };
const stored = { streamSeq: 100, timestampSec: 1_700_000_000 };

describe('decideStateRestore', () => {
  it.each<[string, Partial<RestoreSituation>, boolean]>([
    ['--clear-state', { clearState: true }, false],
    ['--clear-state beats a resume of a non-NATS input', { clearState: true, natsInput: false }, false],
    ['--keep-state', { keepState: true, replay: { kind: 'all' } }, true],
    ['input not NATS', { natsInput: false }, true],
    ['replay resume', {}, true],
    ['replay all', { replay: { kind: 'all' } }, false],
    ['replay latest', { replay: { kind: 'latest' } }, false],
    ['sequence after the stored position', { replay: { kind: 'sequence', seq: 101 }, stored }, true],
    ['sequence at the stored position', { replay: { kind: 'sequence', seq: 100 }, stored }, false],
    ['sequence before the stored position', { replay: { kind: 'sequence', seq: 5 }, stored }, false],
    ['sequence without a stored position', { replay: { kind: 'sequence', seq: 101 } }, false],
    ['time after the stored timestamp', { replay: { kind: 'time', at: new Date((stored.timestampSec + 1) * 1000) }, stored }, true],
    ['time at the stored timestamp', { replay: { kind: 'time', at: new Date(stored.timestampSec * 1000) }, stored }, false],
    ['time without a stored position', { replay: { kind: 'time', at: new Date() } }, false],
  ])('%s', (_name, over, want) => {
    expect(decideStateRestore({ ...base, ...over })).toBe(want);
  });
});
