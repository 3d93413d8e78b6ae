import { describe, expect, it } from 'vitest';
import { NatsPublishError } from './errors.js';

describe('NatsPublishError', () => {
  it('counts the messages before the failed one as delivered, so a retry resends only the rest', () => {
    const err = new NatsPublishError('detections.x', 3, 'no publish acknowledgement within 5000 ms');
    expect(err.delivered).toBe(3);
    expect(err.message).toBe('publish to detections.x failed (message 3): no publish acknowledgement within 5000 ms');
  });
});
