// A bounded async FIFO between a producer and a consumer (spec 05 §7): back-pressure instead of unbounded growth.
// Never drops a value; it does not know about events, sources or metrics.

import { RuntimeError } from '../errors.js';

interface Waiter<T> {
  resolve(value: T): void;
  reject(error: Error): void;
}

/**
 * A FIFO channel holding at most `capacity` values. `send` waits for room, `trySend` refuses when full,
 * `recv` waits for a value and resolves `undefined` once the channel is closed and drained.
 *
 * @example
 * const ch = new BoundedChannel<string>(2);
 * await ch.send('a');
 * ch.close();
 * await ch.recv(); // 'a'
 * await ch.recv(); // undefined
 */
export class BoundedChannel<T> {
  private readonly items: T[] = [];
  private head = 0;
  private readonly senders: { value: T; waiter: Waiter<void> }[] = [];
  private readonly receivers: Waiter<T | undefined>[] = [];
  private closed = false;

  /**
   * @param capacity the most values buffered at once.
   * @param onDepthChange told the change (`+1`, or `-n` when values leave) whenever the buffered count changes.
   */
  constructor(
    readonly capacity: number,
    private readonly onDepthChange?: (delta: number) => void,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`BoundedChannel capacity must be a positive integer, got ${capacity}`);
    }
  }

  /** Values buffered now; never more than `capacity`. */
  get size(): number {
    return this.items.length - this.head;
  }

  /** Queues `value`, waiting while the channel is full; rejects (`channel_closed`) if it is or becomes closed. */
  send(value: T): Promise<void> {
    if (this.closed) return Promise.reject(closedError());
    if (this.handOff(value)) return Promise.resolve();
    return new Promise((resolve, reject) => this.senders.push({ value, waiter: { resolve, reject } }));
  }

  /** Queues `value` if there is room now; returns false when full or closed. */
  trySend(value: T): boolean {
    if (this.closed) return false;
    return this.handOff(value);
  }

  /** The next value, waiting if none is buffered; `undefined` once closed and drained. */
  recv(): Promise<T | undefined> {
    if (this.size > 0) {
      const value = this.shift();
      this.admitSender();
      return Promise.resolve(value);
    }
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => this.receivers.push({ resolve, reject }));
  }

  /**
   * Waits for at least one value, then takes every value already buffered up to `max` in FIFO order, without
   * waiting further; `undefined` once closed and drained. One promise per batch instead of one per value. With
   * `weigh`, `max` bounds the sum of the values' weights instead of their number (at least one value is taken).
   */
  recvMany(max: number, weigh?: (value: T) => number): Promise<T[] | undefined> {
    if (this.size > 0) return Promise.resolve(this.take(this.countFor(max, weigh)));
    if (this.closed) return Promise.resolve(undefined);
    // The first value is handed over directly; the rest are taken when the continuation runs, by which time
    // a producer writing in a synchronous loop has usually buffered more.
    return new Promise<T | undefined>((resolve, reject) => this.receivers.push({ resolve, reject })).then((first) => {
      if (first === undefined) return undefined;
      const rest = max - (weigh === undefined ? 1 : weigh(first));
      return rest > 0 ? [first, ...this.take(this.countFor(rest, weigh))] : [first];
    });
  }

  /** How many buffered values (at least one) to take so that their weights add up to `max`; all weigh 1 by default. */
  private countFor(max: number, weigh: ((value: T) => number) | undefined): number {
    if (weigh === undefined) return max;
    let total = 0;
    let n = 0;
    while (n < this.size && total < max) total += weigh(this.items[this.head + n++] as T);
    return Math.max(1, n);
  }

  /**
   * Stops accepting values. Buffered values stay receivable; senders still waiting for room are rejected
   * (their values were never accepted), and waiting receivers resolve `undefined`.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.senders.splice(0)) s.waiter.reject(closedError());
    for (const r of this.receivers.splice(0)) r.resolve(undefined);
  }

  private handOff(value: T): boolean {
    const receiver = this.receivers.shift();
    if (receiver !== undefined) {
      receiver.resolve(value);
      return true;
    }
    if (this.size >= this.capacity) return false;
    this.items.push(value);
    this.onDepthChange?.(1);
    return true;
  }

  /** Up to `max` buffered values, admitting one waiting sender per freed slot; one depth report for all. */
  private take(max: number): T[] {
    const n = Math.min(max, this.size);
    const out = this.items.slice(this.head, this.head + n);
    this.items.fill(undefined as T, this.head, this.head + n); // release references now, not at compaction
    this.head += n;
    if (n > 0) this.onDepthChange?.(-n);
    if (this.head >= this.capacity && this.head * 2 >= this.items.length) {
      this.items.splice(0, this.head);
      this.head = 0;
    }
    for (let i = 0; i < n && this.senders.length > 0; i++) this.admitSender();
    return out;
  }

  private shift(): T {
    const value = this.items[this.head] as T;
    this.items[this.head] = undefined as T; // release the reference now, not at the next compaction
    this.head++;
    this.onDepthChange?.(-1);
    // Compact occasionally so the backing array does not grow with the total number of values ever sent.
    if (this.head >= this.capacity && this.head * 2 >= this.items.length) {
      this.items.splice(0, this.head);
      this.head = 0;
    }
    return value;
  }

  private admitSender(): void {
    const next = this.senders.shift();
    if (next === undefined) return;
    this.items.push(next.value);
    this.onDepthChange?.(1);
    next.waiter.resolve();
  }
}

function closedError(): RuntimeError {
  return new RuntimeError('channel_closed', 'send on a closed channel', 'BoundedChannel');
}
