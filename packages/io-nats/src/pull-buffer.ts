// The messages pulls delivered that the source has not handed out yet, oldest first, each with the time the server
// last heard about it. The server's ack_wait runs for them as for handed-out ones, so they get in-progress signals
// too (nats-source.ts decides when). Nothing here sends, pulls or decodes.

/**
 * Taken slots are dropped once this many have piled up at the front and they are at least half of the array.
 * A slow caller with a backlog never empties the buffer (the next pull lands before the last message is taken),
 * so without this the array would keep a reference to every message ever taken.
 */
const COMPACT_AFTER = 1024;

/** A FIFO of delivered messages (anything with the `reply` subject their acks and signals go to). */
export class PullBuffer<M extends { readonly reply?: string }> {
  /** `messages[head]` is the next one; a moving head is cheaper than Array.shift on big batches. */
  private messages: M[] = [];
  /** performance.now() when the server last heard about `messages[i]`: its delivery, then each in-progress signal. */
  private heardAt: number[] = [];
  private head = 0;
  private lastTakenHeardAt = 0;

  /** When the server last heard about the message {@link take} returned last; its ack token carries this on. */
  get takenHeardAt(): number {
    return this.lastTakenHeardAt;
  }

  /** Messages buffered and not taken. */
  get size(): number {
    return this.messages.length - this.head;
  }

  /** Appends a message delivered at `now`. */
  push(msg: M, now: number): void {
    this.messages.push(msg);
    this.heardAt.push(now);
  }

  /** The oldest message (see {@link takenHeardAt}), or undefined when the buffer is empty. */
  take(): M | undefined {
    if (this.head === this.messages.length) return undefined;
    const msg = this.messages[this.head] as M;
    this.lastTakenHeardAt = this.heardAt[this.head] as number;
    this.head++;
    if (this.head === this.messages.length) this.clear();
    else if (this.head >= COMPACT_AFTER && this.head * 2 >= this.messages.length) {
      this.messages = this.messages.slice(this.head);
      this.heardAt = this.heardAt.slice(this.head);
      this.head = 0;
    }
    return msg;
  }

  /** Drops every buffered message (the server redelivers them after ack_wait). */
  clear(): void {
    this.messages = [];
    this.heardAt = [];
    this.head = 0;
  }

  /**
   * Calls `signal(reply)` for every buffered message the server has not heard about since `before`, and records
   * that it heard about it at `now`. Messages heard about more recently are left alone, so each message is
   * signalled at most once per `now - before`, however often this runs.
   */
  signalUnheardSince(before: number, now: number, signal: (reply: string) => void): void {
    const { messages, heardAt } = this;
    for (let i = this.head; i < messages.length; i++) {
      if ((heardAt[i] as number) > before) continue;
      signal((messages[i] as M).reply as string);
      heardAt[i] = now;
    }
  }
}
