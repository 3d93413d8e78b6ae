// JetStream plumbing shared by source and sink (spec 06 §2): opening the API with JetStream-disabled detection,
// and ensureStream (reuse a stream that captures the subject, else create `tsigma-<sanitized>`).

import { jetstreamManager, JetStreamApiError, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { NatsIoError } from './errors.js';
import { streamNameFor } from './subjects.js';

/** Timeout of JetStream API calls (stream and consumer management, not publishes). */
const JS_API_TIMEOUT_MS = 5000;

/** Server error codes for stream creation conflicts (nats-server `JSStreamNameExistErr`, `JSStreamSubjectOverlapErr`). */
const STREAM_NAME_EXISTS = 10058;
const STREAM_SUBJECT_OVERLAP = 10065;

/** The JetStream manager of one connection (publishing and pulling go through core NATS). */
interface JetStreamHandles {
  jsm: JetStreamManager;
}

/**
 * Opens the JetStream API; the account-info probe is the first JetStream call, so a server without JetStream
 * is reported here as `JetStream is not enabled on <url>`.
 */
export async function openJetStream(nc: NatsConnection, url: string): Promise<JetStreamHandles> {
  try {
    const jsm = await jetstreamManager(nc, { timeout: JS_API_TIMEOUT_MS });
    return { jsm };
  } catch (err) {
    const m = err instanceof Error ? `${err.name} ${err.message}` : String(err);
    if (/not enabled|no responders|503/i.test(m) || (err instanceof JetStreamApiError && err.code === 10039)) {
      throw new NatsIoError('jetstream_disabled', url, `JetStream is not enabled on ${url}`, { cause: err });
    }
    throw new NatsIoError('jetstream_api', url, `JetStream account info failed: ${m}`, { cause: err });
  }
}

/**
 * True when every subject matching `filter` also matches the stream subject `streamSubject`, i.e. the stream
 * captures everything the filter can select.
 */
export function subjectCovers(streamSubject: string, filter: string): boolean {
  const s = streamSubject.split('.');
  const f = filter.split('.');
  for (let i = 0; i < s.length; i++) {
    const st = s[i] as string;
    if (st === '>') return f.length > i;
    const ft = f[i];
    if (ft === undefined || ft === '>') return false;
    if (st === '*') continue;
    if (ft !== st) return false;
  }
  return s.length === f.length;
}

/**
 * Returns the name of the stream that captures `subject`, creating `tsigma-<sanitized>` (file storage, server
 * default limits) when none does. A name clash or subject overlap is a `stream_conflict` naming both sides.
 */
export async function ensureStream(jsm: JetStreamManager, subject: string): Promise<string> {
  const candidates: string[] = [];
  for await (const name of jsm.streams.names(subject)) candidates.push(name);
  for (const name of candidates) {
    const info = await jsm.streams.info(name);
    if ((info.config.subjects ?? []).some((s) => subjectCovers(s, subject))) return name;
  }
  const name = streamNameFor(subject);
  try {
    await jsm.streams.add({ name, subjects: [subject], storage: StorageType.File });
    return name;
  } catch (err) {
    if (err instanceof JetStreamApiError && (err.code === STREAM_NAME_EXISTS || err.code === STREAM_SUBJECT_OVERLAP)) {
      const conflicting = err.code === STREAM_NAME_EXISTS ? name : candidates.join(', ') || 'another stream';
      throw new NatsIoError(
        'stream_conflict',
        subject,
        `cannot create stream ${name}: it conflicts with stream ${conflicting} (${err.message}); pre-create a stream that captures "${subject}"`,
        { cause: err },
      );
    }
    throw new NatsIoError('jetstream_api', subject, `creating stream ${name} failed: ${(err as Error).message}`, { cause: err });
  }
}
