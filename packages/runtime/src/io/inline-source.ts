// Events given inline (the CLI's `-e '<json>'`): each text is one JSON-format RawEvent, in order.

import type { InputFormat } from '../input/input-format.js';
import type { EventSource, RawEvent } from './io-types.js';
import { NOOP_ACK } from './io-types.js';

const JSON_FORMAT: InputFormat = Object.freeze({ kind: 'json' });

/**
 * Yields each text as one JSON event with origin `<label>` (`event` by default), then null.
 *
 * @example new InlineEventSource(['{"CommandLine":"whoami"}'])
 */
export class InlineEventSource implements EventSource {
  private at = 0;

  constructor(
    private readonly texts: readonly string[],
    private readonly label = 'event',
  ) {}

  recv(): Promise<RawEvent | null> {
    const text = this.texts[this.at++];
    return Promise.resolve(text === undefined ? null : { payload: text, ackToken: NOOP_ACK, origin: this.label, format: JSON_FORMAT });
  }

  close(): Promise<void> {
    this.at = this.texts.length;
    return Promise.resolve();
  }
}
