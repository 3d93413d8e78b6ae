import { describe, expect, it } from 'vitest';
import { nanosToSeconds, parseAckSubject, readAckSubject, type AckNumbers } from './ack-subject.js';

// Real subjects: the old layout is what nats-server 2.9 sends; the new one carries domain and account hash.
const OLD = '$JS.ACK.tsigma-events.tsigma-daemon-events.2.1042.998.1796642553123456789.17';
const NEW = '$JS.ACK._.ABCDEFACCOUNTHASH.tsigma-events.workers.1.7.7.1796642553000000001.0.xK3pQ9';
const NEW_NO_TOKEN = '$JS.ACK.hub.ABCDEFACCOUNTHASH.tsigma-events.workers.3.8.9.1796642553999999999.4';

describe('parseAckSubject', () => {
  it('reads the 9-token layout of nats-server 2.9', () => {
    expect(parseAckSubject(OLD)).toEqual({
      stream: 'tsigma-events',
      consumer: 'tsigma-daemon-events',
      delivered: 2,
      streamSeq: 1042,
      consumerSeq: 998,
      timestampNs: '1796642553123456789',
      pending: 17,
    });
  });

  it('reads the 12-token layout with domain, account hash and trailing token, and the 11-token one', () => {
    expect(parseAckSubject(NEW)).toEqual({
      stream: 'tsigma-events',
      consumer: 'workers',
      delivered: 1,
      streamSeq: 7,
      consumerSeq: 7,
      timestampNs: '1796642553000000001',
      pending: 0,
    });
    expect(parseAckSubject(NEW_NO_TOKEN)).toMatchObject({
      stream: 'tsigma-events',
      consumer: 'workers',
      delivered: 3,
      streamSeq: 8,
      pending: 4,
    });
  });

  it('rejects subjects that are not ack subjects', () => {
    for (const s of [
      '',
      '_INBOX.abc.1',
      '$JS.API.CONSUMER.MSG.NEXT.s.c',
      '$JS.ACK.s.c.1.2.3.4', // too few tokens
      '$JS.ACK.s.c.1.2.3.4.5.6', // 10 tokens: neither layout
      '$JS.ACK.s.c.x.2.3.4.5',
      '$JS.ACK.s.c.1..3.4.5',
      '$JS.ACK.s.c.0.2.3.4.5',
      '$JS.ACK.s.c.1.2.3.4t.5',
      `$JS.ACK.${'a.'.repeat(20)}1`,
    ])
      expect(parseAckSubject(s), s).toBeUndefined();
  });
});

describe('readAckSubject', () => {
  it('fills delivery count and stream sequence in place for both layouts', () => {
    const into: AckNumbers = { delivered: 0, streamSeq: 0 };
    expect(readAckSubject(OLD, into)).toBe(true);
    expect(into).toEqual({ delivered: 2, streamSeq: 1042 });
    expect(readAckSubject(NEW, into)).toBe(true);
    expect(into).toEqual({ delivered: 1, streamSeq: 7 });
  });

  it('returns false and leaves the target alone for other subjects', () => {
    const into: AckNumbers = { delivered: 5, streamSeq: 6 };
    expect(readAckSubject('_INBOX.x.y', into)).toBe(false);
    expect(readAckSubject('$JS.ACK.s.c.1.nope.3.4.5', into)).toBe(false);
    expect(into).toEqual({ delivered: 5, streamSeq: 6 });
  });
});

describe('nanosToSeconds', () => {
  it('drops the last nine digits exactly', () => {
    expect(nanosToSeconds('1796642553999999999')).toBe(1796642553);
    expect(nanosToSeconds('999999999')).toBe(0);
    expect(nanosToSeconds('1000000000')).toBe(1);
  });
});
