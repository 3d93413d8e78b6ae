// Reads the reply subject JetStream puts on every delivered message ($JS.ACK...), which carries the delivery
// metadata. The hot-path reader allocates nothing: no split, no substrings, no regex.

/** Delivery metadata of one JetStream message, read from its `$JS.ACK...` reply subject. */
interface AckInfo {
  stream: string;
  consumer: string;
  /** Delivery count: 1 on first delivery. */
  delivered: number;
  streamSeq: number;
  consumerSeq: number;
  /** Stored timestamp in nanoseconds since the epoch, as digits (it does not fit a double exactly). */
  timestampNs: string;
  /** Messages still pending for the consumer after this one. */
  pending: number;
}

/** The two numbers needed for every message; filled in place by {@link readAckSubject}. */
export interface AckNumbers {
  delivered: number;
  streamSeq: number;
}

/**
 * Token counts of the two layouts nats-server uses: the old one
 * `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<tm>.<pending>` (9 tokens, what 2.9 sends), and the newer
 * `$JS.ACK.<domain>.<account hash>.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<tm>.<pending>[.<token>]`
 * (11, or 12 with the trailing random token), which carries a domain (`_` for none) and an account hash.
 */
const OLD_FORM_TOKENS = 9;
const NEW_FORM_MIN_TOKENS = 11;
/** More tokens than any known layout has; anything longer is not an ack subject. */
const MAX_TOKENS = 16;
const PREFIX = '$JS.ACK.';

/** Dot positions of the subject being read; shared scratch, since reading never re-enters. */
const dots = new Int32Array(MAX_TOKENS);

/** Finds the dots of `reply`; returns the index of the `<stream>` token, or -1 when it is no ack subject. */
function scan(reply: string): number {
  if (!reply.startsWith(PREFIX)) return -1;
  let n = 0;
  for (let i = reply.indexOf('.'); i !== -1; i = reply.indexOf('.', i + 1)) {
    if (n === MAX_TOKENS - 1) return -1;
    dots[n++] = i;
  }
  dots[n] = reply.length; // the end of the last token, so token k always ends at dots[k]
  const tokens = n + 1;
  if (tokens === OLD_FORM_TOKENS) return 2;
  return tokens >= NEW_FORM_MIN_TOKENS ? 4 : -1;
}

/** Decimal value of token `k` of the scanned subject; NaN when it is empty or not all digits. */
function digits(reply: string, k: number): number {
  const start = (dots[k - 1] as number) + 1;
  const end = dots[k] as number;
  if (start >= end) return NaN;
  let v = 0;
  for (let i = start; i < end; i++) {
    const d = reply.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  return v;
}

function token(reply: string, k: number): string {
  return reply.slice((dots[k - 1] as number) + 1, dots[k]);
}

/**
 * Fills `into` with the delivery count and stream sequence of an ack subject; false when `reply` is not one.
 * Allocation-free, for the per-message path.
 */
export function readAckSubject(reply: string, into: AckNumbers): boolean {
  const at = scan(reply);
  if (at < 0) return false;
  const delivered = digits(reply, at + 2);
  const streamSeq = digits(reply, at + 3);
  if (!(delivered >= 1 && streamSeq >= 1)) return false;
  into.delivered = delivered;
  into.streamSeq = streamSeq;
  return true;
}

/** Parses every field of a `$JS.ACK...` subject; `undefined` when it is not one (both token layouts are accepted). */
export function parseAckSubject(reply: string): AckInfo | undefined {
  const at = scan(reply);
  if (at < 0) return undefined;
  const delivered = digits(reply, at + 2);
  const streamSeq = digits(reply, at + 3);
  const consumerSeq = digits(reply, at + 4);
  const pending = digits(reply, at + 6);
  const timestampNs = token(reply, at + 5);
  if (!(delivered >= 1 && streamSeq >= 1 && consumerSeq >= 1 && pending >= 0) || Number.isNaN(digits(reply, at + 5))) return undefined;
  return { stream: token(reply, at), consumer: token(reply, at + 1), delivered, streamSeq, consumerSeq, timestampNs, pending };
}

/** Whole seconds of a nanosecond timestamp given as decimal digits. */
export function nanosToSeconds(ns: string): number {
  // Dropping the last nine digits is exact; Number(ns) / 1e9 would round near second boundaries.
  return ns.length > 9 ? Number(ns.slice(0, ns.length - 9)) : 0;
}
