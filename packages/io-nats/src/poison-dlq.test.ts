import { describe, expect, it } from 'vitest';
import { maxDeliveriesSubject, parseMaxDeliveriesAdvisory, parseMsgGetReply, poisonDeadLetter } from './poison-dlq.js';

// Shapes as nats-server 2.9 sends them.
const ADVISORY = JSON.stringify({
  type: 'io.nats.jetstream.advisory.v1.max_deliver',
  id: 'x',
  timestamp: '2026-12-07T10:00:00Z',
  stream: 'tsigma-events',
  consumer: 'workers',
  stream_seq: 42,
  deliveries: 3,
});
const GET_OK = JSON.stringify({
  type: 'io.nats.jetstream.api.v1.stream_msg_get_response',
  message: { subject: 'events.a', seq: 42, data: Buffer.from('{"x":"é"}').toString('base64'), time: '2026-12-07T10:00:00Z' },
});
const GET_GONE = JSON.stringify({
  type: 'io.nats.jetstream.api.v1.stream_msg_get_response',
  error: { code: 404, err_code: 10037, description: 'no message found' },
});
const NOW = Date.UTC(2026, 11, 7, 10, 0, 0);

describe('poison dead letters', () => {
  it('names the advisory subject of one durable', () => {
    expect(maxDeliveriesSubject('tsigma-events', 'workers')).toBe('$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.tsigma-events.workers');
  });

  it('reads advisories and rejects what is not one', () => {
    expect(parseMaxDeliveriesAdvisory(ADVISORY)).toEqual({ stream: 'tsigma-events', consumer: 'workers', streamSeq: 42, deliveries: 3 });
    for (const bad of ['', 'null', '{}', '{"stream":"s","consumer":"c","stream_seq":"1","deliveries":2}'])
      expect(parseMaxDeliveriesAdvisory(bad), bad).toBeUndefined();
  });

  it('reads message-get replies: payload, missing data, errors', () => {
    expect(parseMsgGetReply(GET_OK)).toEqual({ subject: 'events.a', payload: '{"x":"é"}' });
    expect(parseMsgGetReply(JSON.stringify({ message: { subject: 'events.a', seq: 1 } }))).toEqual({ subject: 'events.a', payload: '' });
    expect(parseMsgGetReply(GET_GONE)).toEqual({ gone: '404 no message found' });
    expect(parseMsgGetReply('nope')).toHaveProperty('gone');
  });

  it('writes the runtime dead-letter shape, also when the payload is gone', () => {
    const advisory = parseMaxDeliveriesAdvisory(ADVISORY)!;
    expect(JSON.parse(poisonDeadLetter(advisory, parseMsgGetReply(GET_OK), 'events.>', NOW))).toEqual({
      original_event: '{"x":"é"}',
      error: 'max_deliver: not acknowledged after 3 deliveries',
      timestamp: '2026-12-07T10:00:00.000Z',
      origin: 'nats:events.a#42',
    });
    const gone = JSON.parse(poisonDeadLetter(advisory, parseMsgGetReply(GET_GONE), 'events.>', NOW)) as Record<string, string>;
    expect(gone.original_event).toBe('');
    expect(gone.error).toBe(
      'max_deliver: not acknowledged after 3 deliveries; payload gone from stream tsigma-events: 404 no message found',
    );
    expect(gone.origin).toBe('nats:events.>#42');
  });
});
