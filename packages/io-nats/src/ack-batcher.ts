// Confirmed acks in bulk for one consumer (spec 06 §3). Acks made in the same tick are written together and only
// the last of them asks the server for a confirmation: the server handles the acks of one connection for one
// consumer in the order they were written, so its reply to the last ack means every earlier one was handled too.
// That saves the server one reply and the client one received message per ack. It must not mix consumers.

import { createInbox, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import type { Logger, LogFields } from '@tsigma/eval';

/** The JetStream ack payload. */
const ACK = new TextEncoder().encode('+ACK');

/** Acks written in one tick; they settle together. */
interface AckBatch {
  subjects: string[];
  promise: Promise<void>;
  resolve: () => void;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Sends `+ACK` to `$JS.ACK...` subjects of one consumer and resolves once the server confirmed it. Never rejects:
 * an unconfirmed ack is logged at warn (the message is redelivered after `ack_wait`, which at-least-once allows).
 */
export class AckBatcher {
  private readonly prefix = createInbox();
  private readonly sub: Subscription;
  private readonly pending = new Map<number, AckBatch>();
  private queued: AckBatch | undefined;
  private nextId = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly timeoutMs: number,
    private readonly logger: Logger,
    /** Names the source in warnings: `subject`, `stream`, `consumer`. */
    private readonly where: LogFields,
  ) {
    this.sub = nc.subscribe(`${this.prefix}.*`, {
      callback: (err, msg) => {
        if (err === null) this.settle(Number(msg.subject.slice(this.prefix.length + 1)), undefined);
      },
    });
  }

  /** Acks the message whose reply subject is `ackSubject`; all acks of one tick share the returned promise. */
  ack(ackSubject: string): Promise<void> {
    let batch = this.queued;
    if (batch === undefined) {
      let resolve: () => void = () => undefined;
      const promise = new Promise<void>((r) => (resolve = r));
      batch = { subjects: [], promise, resolve, timer: undefined };
      this.queued = batch;
      queueMicrotask(() => this.flush());
    }
    batch.subjects.push(ackSubject);
    return batch.promise;
  }

  /**
   * Used on close: writes the acks of the current tick (the connection's drain still sends them, so fewer
   * messages come back as duplicates), then settles everything as unconfirmed, since no reply can arrive any more.
   */
  close(): void {
    this.flush();
    this.sub.unsubscribe();
    for (const id of [...this.pending.keys()]) this.settle(id, 'the source closed before the server confirmed them');
  }

  private flush(): void {
    const batch = this.queued;
    if (batch === undefined) return;
    this.queued = undefined;
    const id = this.nextId++;
    const { subjects } = batch;
    const last = subjects.length - 1;
    try {
      for (let i = 0; i < last; i++) this.nc.publish(subjects[i] as string, ACK);
      this.nc.publish(subjects[last] as string, ACK, { reply: `${this.prefix}.${id}` });
    } catch (err) {
      // Only a closed connection throws.
      this.report(batch, (err as Error).message);
      return;
    }
    this.pending.set(id, batch);
    batch.timer = setTimeout(() => this.settle(id, `no confirmation within ${this.timeoutMs} ms`), this.timeoutMs);
    batch.timer.unref();
  }

  private settle(id: number, problem: string | undefined): void {
    const batch = this.pending.get(id);
    if (batch === undefined) return; // a confirmation after its timeout: already reported
    this.pending.delete(id);
    clearTimeout(batch.timer);
    if (problem === undefined) batch.resolve();
    else this.report(batch, problem);
  }

  private report(batch: AckBatch, problem: string): void {
    const n = batch.subjects.length;
    // Not fatal: the server redelivers after ack_wait and the contract allows the duplicate.
    this.logger.warn('acks not confirmed, redelivery follows', { ...this.where, acks: n, reason: problem });
    batch.resolve();
  }
}
