import { JsonEvent } from '@tsigma/eval';
import { describe, expect, it } from 'vitest';
import { ParseFailure } from './parse-failure.js';
import { parseLine } from './parse-line.js';

describe('parseLine', () => {
  it('returns JsonEvents whose dotted keys resolve flat-key-first', () => {
    const event = parseLine('<165>1 2003-10-11T22:14:15.003Z host app - ID47 [exampleSDID@32473 iut="3"] msg', { kind: 'syslog' });
    expect(event).toBeInstanceOf(JsonEvent);
    const e = event as JsonEvent;
    expect(e.get('exampleSDID@32473.iut')).toBe('3');
    expect(e.get('facility')).toBe('LOG_LOCAL4');
    expect(e.someLeaf((text) => text === 'msg')).toBe(true);
  });

  it('returns ParseFailure values for bad lines', () => {
    const failure = parseLine('{"broken":', { kind: 'json' });
    expect(failure).toBeInstanceOf(ParseFailure);
    expect((failure as ParseFailure).oversize).toBe(false);
  });

  it('makes plain lines searchable through _raw', () => {
    const event = parseLine('user bob logged in', { kind: 'plain' }) as JsonEvent;
    expect(event.get('_raw')).toBe('user bob logged in');
  });
});
