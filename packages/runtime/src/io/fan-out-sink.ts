// Sink that forwards to several sinks in order (spec 05 §7) and stops at the first failure.
// The daemon normally fans out with one worker per sink instead (spec 10); this is the simple in-line form.

import type { EvaluationResult } from '@tsigma/eval';
import type { Sink } from './io-types.js';

/**
 * Sends to each child in order; the first child error rejects (later children are not tried for that call).
 *
 * @example
 * const sink = new FanOutSink([new StdoutSink(), new FileSink('alerts.ndjson')]);
 */
export class FanOutSink implements Sink {
  readonly label: string;

  constructor(readonly children: readonly Sink[]) {
    this.label = `fanout(${children.map((c) => c.label).join(',')})`;
  }

  async send(results: readonly EvaluationResult[]): Promise<void> {
    for (const c of this.children) await c.send(results);
  }

  async sendRaw(json: string): Promise<void> {
    for (const c of this.children) await c.sendRaw(json);
  }

  async sendIncident(json: string, subject?: string): Promise<void> {
    for (const c of this.children) await (c.sendIncident ? c.sendIncident(json, subject) : c.sendRaw(json));
  }

  /** Closes every child, even if one fails; then rejects with the first failure. */
  async close(): Promise<void> {
    const outcomes = await Promise.allSettled(this.children.map((c) => c.close()));
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw failed.reason;
  }
}
