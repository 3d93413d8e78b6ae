// Subject arithmetic (spec 06 §2, §3a): derived stream and durable names, NATS wildcard matching for the
// feedback guard, and the partition layout for scale-out. Pure functions; nothing here talks to a server.

import { validateSubject } from './config.js';
import { NatsConfigError } from './errors.js';

/**
 * `.`, `*`, `>` become `-`, trailing `-` are stripped.
 *
 * @example sanitizeSubject('events.>') // 'events'
 */
export function sanitizeSubject(subject: string): string {
  return subject.replace(/[.*>]/g, '-').replace(/-+$/, '');
}

/** Stream created for a subject that no existing stream captures: `tsigma-<sanitized>`. */
export function streamNameFor(subject: string): string {
  return `tsigma-${sanitizeSubject(subject)}`;
}

/** Durable consumer used when no consumer group is given: `tsigma-daemon-<sanitized>`. */
export function durableNameFor(subject: string): string {
  return `tsigma-daemon-${sanitizeSubject(subject)}`;
}

/** Consumer group names become durable names, so they must be valid JetStream consumer names. */
export function validateConsumerName(name: string): void {
  if (!/^[A-Za-z0-9_-]+$/.test(name)) {
    throw new NatsConfigError('bad_consumer_name', `consumer group "${name}" may only contain letters, digits, "_" and "-"`, [name]);
  }
}

/**
 * True when a message published on the concrete `subject` would be delivered to a subscription on `filter`
 * (`*` = exactly one token, `>` = one or more trailing tokens).
 *
 * @example subjectMatches('events.>', 'events.detections') // true
 */
export function subjectMatches(filter: string, subject: string): boolean {
  const f = filter.split('.');
  const s = subject.split('.');
  for (let i = 0; i < f.length; i++) {
    const ft = f[i] as string;
    if (ft === '>') return s.length > i;
    if (i >= s.length) return false;
    if (ft !== '*' && ft !== s[i]) return false;
  }
  return f.length === s.length;
}

/**
 * Startup check: fails when any publish subject (output, DLQ, incident) would be consumed again by the input
 * filter, since results would be fed back into the input forever.
 *
 * @example assertNoFeedbackLoop('events.>', ['events.detections']) // throws feedback_loop
 */
export function assertNoFeedbackLoop(inputFilter: string, publishSubjects: readonly string[]): void {
  validateSubject(inputFilter, 'input');
  for (const out of publishSubjects) {
    validateSubject(out, 'output');
    if (subjectMatches(inputFilter, out)) {
      throw new NatsConfigError(
        'feedback_loop',
        `input subject "${inputFilter}" matches publish subject "${out}": results would be fed back into the input`,
        [inputFilter, out],
      );
    }
  }
}

/** What `partitionSubjects` returns: the per-process filters and the server mapping that feeds them. */
export interface PartitionLayout {
  /** `filterSubjects[i]` is `<prefix>.part.<i>.>`, the input subject of process i. */
  filterSubjects: string[];
  /** Subject producers publish to, one token per key: `<prefix>.*`. */
  publishSubject: string;
  /** The account mapping as nats-server config text (works on nats-server 2.9 and later). */
  mappingConfig: string;
}

/** Upper bound on partitions: each one is a process with its own durable; more is a mistake, not a design. */
export const MAX_PARTITIONS = 1024;

/**
 * Builds the subject-partitioning layout of spec 06 §3a for `n` processes: producers publish to
 * `<prefix>.<key>`, the server maps that to `<prefix>.part.<hash(key) mod n>.<key>`, process i consumes
 * `<prefix>.part.<i>.>`.
 *
 * @example
 * const { filterSubjects, mappingConfig } = partitionSubjects('auth', 2);
 * // filterSubjects: ['auth.part.0.>', 'auth.part.1.>']
 * // mappingConfig: 'mappings = {\n  "auth.*": "auth.part.{{partition(2,1)}}.{{wildcard(1)}}"\n}\n'
 */
export function partitionSubjects(prefix: string, n: number): PartitionLayout {
  validateSubject(prefix, 'output');
  if (!Number.isInteger(n) || n < 1 || n > MAX_PARTITIONS) {
    throw new NatsConfigError('bad_option', `partition count must be an integer from 1 to ${MAX_PARTITIONS}, got ${n}`, ['partitions']);
  }
  const filterSubjects = Array.from({ length: n }, (_, i) => `${prefix}.part.${i}.>`);
  const publishSubject = `${prefix}.*`;
  const mappingConfig = `mappings = {\n  "${publishSubject}": "${prefix}.part.{{partition(${n},1)}}.{{wildcard(1)}}"\n}\n`;
  return { filterSubjects, publishSubject, mappingConfig };
}
