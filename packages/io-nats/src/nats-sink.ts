// NatsSink (spec 06 §4): publishes results to a concrete subject through JetStream, awaiting each publish
// acknowledgement before the next message, so order holds and a failure names exactly what was not stored.
// It never retries: retrying and dead-lettering belong to the caller (the daemon's per-sink worker).

import type { JetStreamManager } from '@nats-io/jetstream';
import type { Msg, NatsConnection } from '@nats-io/transport-node';
import type { EvaluationResult } from '@tsigma/eval';
import type { Sink } from '@tsigma/runtime';
import { validateSubject, type NatsConnectConfig } from './config.js';
import { connectNats } from './connect.js';
import { NatsPublishError } from './errors.js';
import { stderrLogger, type NatsLogger } from './logger.js';
import { ReplyBatcher } from './reply-batcher.js';
import { ensureStream, openJetStream } from './streams.js';

/** Default wait for a publish acknowledgement. */
export const DEFAULT_PUBLISH_TIMEOUT_MS = 5000;

/** Options of {@link NatsSink.connect}. */
export interface NatsSinkOptions {
  /** How long to wait for each publish acknowledgement; default 5000. */
  publishTimeoutMs?: number;
  /**
   * Create or look up the stream for the subject at connect time; default true. Producers publishing to a
   * subject that a server mapping rewrites (partitioning, spec 06 §3a) set false: the stream captures the
   * mapped subject, not this one.
   */
  ensureStream?: boolean;
  logger?: NatsLogger;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Why a JetStream publish reply is not a stored-message acknowledgement, or undefined when it is one. */
function pubAckProblem(reply: Msg): string | undefined {
  if (reply.headers?.code === 503) return 'no stream captures the subject (no responders)';
  if (reply.headers?.hasError === true) return `server status ${reply.headers.code} ${reply.headers.description}`;
  let ack: { stream?: unknown; error?: { description?: unknown } };
  try {
    ack = JSON.parse(decoder.decode(reply.data)) as typeof ack;
  } catch {
    return 'reply is not a JetStream publish acknowledgement';
  }
  if (ack.error !== undefined) return `JetStream error: ${String(ack.error.description)}`;
  return typeof ack.stream === 'string' ? undefined : 'reply is not a JetStream publish acknowledgement';
}

/**
 * Result sink on one JetStream subject; one compact JSON message per result.
 *
 * @example
 * const sink = await NatsSink.connect({ url: 'nats://127.0.0.1:4222' }, 'detections');
 * await sink.sendRaw('{"rule_title":"x"}');
 * await sink.close();
 */
export class NatsSink implements Sink {
  readonly label: string;
  private readonly incidentStreams = new Set<string>();
  private readonly replies: ReplyBatcher;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    readonly subject: string,
    timeoutMs: number,
  ) {
    this.label = `nats:${subject}`;
    this.replies = new ReplyBatcher(nc, timeoutMs);
  }

  /** Validates that `subject` is concrete, connects, and ensures its stream (unless `ensureStream: false`). */
  static async connect(cfg: NatsConnectConfig, subject: string, opts: NatsSinkOptions = {}): Promise<NatsSink> {
    validateSubject(subject, 'output');
    const timeoutMs = opts.publishTimeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS;
    const nc = await connectNats(cfg, opts.logger ?? stderrLogger);
    try {
      const { jsm } = await openJetStream(nc, cfg.url);
      if (opts.ensureStream !== false) await ensureStream(jsm, subject);
      return new NatsSink(nc, jsm, subject, timeoutMs);
    } catch (err) {
      await nc.close();
      throw err;
    }
  }

  /** One message per result, compact JSON, each acknowledged before the next is sent. */
  async send(results: readonly EvaluationResult[]): Promise<void> {
    for (let i = 0; i < results.length; i++) await this.publish(this.subject, JSON.stringify(results[i]), i);
  }

  /** One message with the payload as given. */
  sendRaw(json: string): Promise<void> {
    return this.publish(this.subject, json, 0);
  }

  /**
   * Publishes several payloads with their acknowledgements in flight together (one connection, so the server
   * stores them in this order), then checks the acknowledgements in order. Rejects with the first failure's
   * index; later payloads may already be stored, which the at-least-once contract allows. For throughput paths.
   */
  async sendRawMany(jsons: readonly string[]): Promise<void> {
    const pending = jsons.map((json) => this.replies.request(this.subject, encoder.encode(json)));
    // Attach handlers to all before awaiting any, so a second rejection is never reported as unhandled.
    const settled = await Promise.allSettled(pending);
    for (let i = 0; i < settled.length; i++) {
      const s = settled[i] as PromiseSettledResult<Msg>;
      if (s.status === 'rejected') throw this.publishError(this.subject, i, s.reason);
      const problem = pubAckProblem(s.value);
      if (problem !== undefined) throw new NatsPublishError(this.subject, i, problem);
    }
  }

  /** Publishes an incident; with `subjectOverride`, to that concrete subject (its stream ensured once). */
  async sendIncident(json: string, subjectOverride?: string): Promise<void> {
    const subject = subjectOverride ?? this.subject;
    if (subject !== this.subject && !this.incidentStreams.has(subject)) {
      validateSubject(subject, 'incident');
      await ensureStream(this.jsm, subject);
      this.incidentStreams.add(subject);
    }
    await this.publish(subject, json, 0);
  }

  /** Drains the connection: buffered publishes are flushed before it closes. */
  async close(): Promise<void> {
    if (this.nc.isClosed()) return;
    this.replies.close();
    await this.nc.drain();
  }

  private async publish(subject: string, json: string, index: number): Promise<void> {
    let reply: Msg;
    try {
      reply = await this.replies.request(subject, encoder.encode(json));
    } catch (err) {
      throw this.publishError(subject, index, err);
    }
    const problem = pubAckProblem(reply);
    if (problem !== undefined) throw new NatsPublishError(subject, index, problem);
  }

  private publishError(subject: string, index: number, err: unknown): NatsPublishError {
    const detail = err instanceof Error ? err.message : String(err);
    return new NatsPublishError(subject, index, detail, { cause: err });
  }
}
