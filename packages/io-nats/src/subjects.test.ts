import { describe, expect, it } from 'vitest';
import { NatsConfigError } from './errors.js';
import { subjectCovers } from './streams.js';
import {
  assertNoFeedbackLoop,
  durableNameFor,
  partitionSubjects,
  sanitizeSubject,
  streamNameFor,
  subjectMatches,
  validateConsumerName,
} from './subjects.js';

describe('derived names', () => {
  it('sanitizes subjects as spec 06 §2 shows', () => {
    expect(sanitizeSubject('events.>')).toBe('events');
    expect(sanitizeSubject('e2e.events.okta')).toBe('e2e-events-okta');
    expect(sanitizeSubject('a.*.b')).toBe('a---b');
    expect(streamNameFor('e2e.events.okta')).toBe('tsigma-e2e-events-okta');
    expect(durableNameFor('events.>')).toBe('tsigma-daemon-events');
  });
  it('accepts only [A-Za-z0-9_-] consumer groups', () => {
    expect(() => validateConsumerName('workers_1-a')).not.toThrow();
    expect(() => validateConsumerName('a.b')).toThrow(NatsConfigError);
  });
});

describe('subjectMatches', () => {
  it.each([
    ['events.>', 'events.detections', true],
    ['events.>', 'events', false],
    ['events.*', 'events.a.b', false],
    ['events.*', 'events.a', true],
    ['*.a', 'x.a', true],
    ['events.a', 'events.a', true],
    ['events.a', 'events.b', false],
    ['>', 'anything.at.all', true],
  ])('%s vs %s -> %s', (filter, subject, want) => {
    expect(subjectMatches(filter, subject)).toBe(want);
  });
});

describe('subjectCovers', () => {
  it.each([
    ['events.>', 'events.a.b', true],
    ['events.>', 'events.*', true],
    ['events.*', 'events.>', false],
    ['events.a', 'events.*', false],
    ['a.*.c', 'a.b.c', true],
    ['a.b', 'a.b', true],
  ])('stream %s covers filter %s -> %s', (stream, filter, want) => {
    expect(subjectCovers(stream, filter)).toBe(want);
  });
});

describe('assertNoFeedbackLoop', () => {
  it('fails when an output would be consumed again, naming both subjects', () => {
    try {
      assertNoFeedbackLoop('events.>', ['alerts', 'events.detections']);
      expect.unreachable();
    } catch (err) {
      expect((err as NatsConfigError).code).toBe('feedback_loop');
      expect((err as NatsConfigError).options).toEqual(['events.>', 'events.detections']);
    }
  });
  it('passes disjoint subjects', () => {
    expect(() => assertNoFeedbackLoop('events.*', ['events.detections.high', 'dlq.tsigma'])).not.toThrow();
  });
});

describe('partitionSubjects', () => {
  it('returns N filters and the 2.9 account mapping', () => {
    const layout = partitionSubjects('auth', 3);
    expect(layout.filterSubjects).toEqual(['auth.part.0.>', 'auth.part.1.>', 'auth.part.2.>']);
    expect(layout.publishSubject).toBe('auth.*');
    expect(layout.mappingConfig).toBe('mappings = {\n  "auth.*": "auth.part.{{partition(3,1)}}.{{wildcard(1)}}"\n}\n');
  });
  it('rejects a wildcard prefix and bad counts', () => {
    expect(() => partitionSubjects('auth.*', 2)).toThrow(NatsConfigError);
    expect(() => partitionSubjects('auth', 0)).toThrow(NatsConfigError);
    expect(() => partitionSubjects('auth', 1.5)).toThrow(NatsConfigError);
  });
  it('never feeds partitions back into the publish subject', () => {
    const layout = partitionSubjects('auth', 2);
    // A mapped subject has three more tokens, so the one-token publish wildcard cannot match it.
    expect(subjectMatches(layout.publishSubject, 'auth.part.0.web01')).toBe(false);
  });
});
