// NATS as a dynamic pipeline source type (spec 06 §5, 09 §2): the last message on a subject (from a stream that
// captures it, else the next core message within the timeout), push subscriptions, and the control subject that
// triggers re-resolution. @tsigma/sources stays free of the NATS client; this file implements its fetcher seam.

import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { DynamicSource, FetchContext, RefreshTrigger, SourceErrorKind, SourceFetcher } from '@tsigma/sources';
import { connectNats } from './connect.js';
import type { NatsConnectConfig } from './config.js';

/** Payloads beyond this are a `resource_limit` error (spec 09 §7). */
const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

/** The core subject the daemon answers for re-resolution requests (spec 06 §5). */
export const CONTROL_RESOLVE_SUBJECT = 'tsigma.control.resolve';

/**
 * A failure of the NATS source fetcher; `kind` is the SourceErrorKind the resolver reports (the class of
 * @tsigma/sources is not imported, only its types).
 */
export class NatsSourceError extends Error {
  override readonly name = 'NatsSourceError';
  constructor(
    readonly kind: SourceErrorKind,
    sourceId: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`source '${sourceId}': ${detail}`, options);
  }
}

/** Options of {@link createNatsSourceFetcher}. */
export interface NatsSourceFetcherOptions {
  /** Connection settings (auth, TLS) shared by every NATS source; `url` is the default for sources without one. */
  connection?: Partial<NatsConnectConfig>;
}

/**
 * The `nats` fetcher for DefaultSourceResolver: `fetch` reads the current value, `subscribe` delivers pushes.
 *
 * @example
 * const resolver = new DefaultSourceResolver({ fetchers: { nats: createNatsSourceFetcher({ connection: { url } }) } });
 */
export function createNatsSourceFetcher(opts: NatsSourceFetcherOptions = {}): SourceFetcher {
  const connect = async (src: DynamicSource): Promise<NatsConnection> => {
    const url = src.url ?? opts.connection?.url;
    if (url === undefined)
      throw new NatsSourceError('fetch', src.id, 'no NATS URL: set url on the source or configure the NATS connection');
    try {
      return await connectNats({ ...opts.connection, url });
    } catch (err) {
      throw new NatsSourceError('fetch', src.id, `cannot connect to ${url}: ${(err as Error).message}`, { cause: err });
    }
  };
  return {
    async fetch(src, ctx) {
      const nc = await connect(src);
      try {
        const data = (await lastStreamMessage(nc, src.subject as string)) ?? (await nextCoreMessage(nc, src, ctx));
        return data === undefined ? null : payloadText(data, src.id);
      } finally {
        await nc.close().catch(() => undefined);
      }
    },
    async subscribe(src, onText, ctx) {
      const nc = await connect(src);
      const sub = nc.subscribe(src.subject as string);
      void (async () => {
        for await (const msg of sub) {
          let text: string;
          try {
            text = payloadText(msg.data, src.id);
          } catch (err) {
            ctx.logger.warn(`pushed message rejected: ${(err as Error).message}`, { source_id: src.id });
            continue;
          }
          onText(text);
        }
      })();
      return async () => {
        sub.unsubscribe();
        await nc.close().catch(() => undefined);
      };
    },
  };
}

/** The last message of `subject` when a stream captures it; undefined when none does or it holds none. */
async function lastStreamMessage(nc: NatsConnection, subject: string): Promise<Uint8Array | undefined> {
  let stream: string;
  try {
    const jsm = await jetstreamManager(nc);
    stream = await jsm.streams.find(subject);
    const msg = await jsm.streams.getMessage(stream, { last_by_subj: subject });
    return msg?.data ?? undefined;
  } catch {
    // No JetStream, no stream for the subject, or an empty subject: fall back to waiting on core NATS.
    return undefined;
  }
}

function nextCoreMessage(nc: NatsConnection, src: DynamicSource, ctx: FetchContext): Promise<Uint8Array | undefined> {
  return new Promise((resolve) => {
    // The timer fires asynchronously, after `sub` below is initialised.
    const timer = setTimeout(() => {
      sub.unsubscribe();
      resolve(undefined);
    }, ctx.limits.timeoutMs);
    const sub = nc.subscribe(src.subject as string, {
      max: 1,
      callback: (_err, msg) => {
        clearTimeout(timer);
        resolve(msg.data);
      },
    });
  });
}

function payloadText(data: Uint8Array, id: string): string {
  if (data.byteLength > MAX_MESSAGE_BYTES) {
    throw new NatsSourceError('resource_limit', id, `message of ${data.byteLength} bytes exceeds the limit of ${MAX_MESSAGE_BYTES}`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch (err) {
    throw new NatsSourceError('parse', id, 'message is not valid UTF-8', { cause: err });
  }
}

/** What a control request can start (the RefreshScheduler's trigger). */
export interface ResolveTarget {
  trigger(t: RefreshTrigger): 'started' | 'already_pending' | 'unknown_source';
}

/**
 * Answers `tsigma.control.resolve`: an empty payload re-resolves every source, a source id that one. A request with
 * a reply subject gets the trigger's answer (`started`, `already_pending`, `unknown_source`). Returns the stopper.
 *
 * @example
 * const stop = serveResolveControl(nc, scheduler);
 */
export function serveResolveControl(nc: NatsConnection, target: ResolveTarget): () => void {
  const sub = nc.subscribe(CONTROL_RESOLVE_SUBJECT, {
    callback: (_err, msg) => {
      const id = msg.string().trim();
      const answer = target.trigger(id === '' ? { kind: 'all' } : { kind: 'single', id });
      if (msg.reply !== undefined && msg.reply !== '') msg.respond(answer);
    },
  });
  return () => sub.unsubscribe();
}
