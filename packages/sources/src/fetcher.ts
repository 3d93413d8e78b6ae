// The fetcher seam (spec 09 §2): one object per source type turns a declaration into raw text. Built-ins are
// file, http and command; @tsigma/io-nats registers `nats`.

import type { Logger } from '@tsigma/eval';
import type { DynamicSource } from './declarations.js';
import type { EgressPolicy } from './egress.js';
import type { SourceLimits } from './limits.js';

/** What a fetch may use: an abort signal, the egress policy and the limits of this source. */
export interface FetchContext {
  signal: AbortSignal;
  egress: EgressPolicy;
  limits: SourceLimits;
  logger: Logger;
}

/**
 * Fetches a source's raw text; a push-capable type also subscribes. Failures are SourceErrors naming the id, or any
 * error with a `kind` of SourceErrorKind (fetchers in other packages need not import the class).
 */
export interface SourceFetcher {
  /** The raw text, or null when the source has no data yet (a NATS subject nobody published to): not an error. */
  fetch(src: DynamicSource, ctx: FetchContext): Promise<string | null>;
  /** Calls `onText` with every pushed payload until the returned function is called. */
  subscribe?(src: DynamicSource, onText: (text: string) => void, ctx: FetchContext): Promise<() => Promise<void>>;
}
