// Inhibition (spec 08 §4 step 2): while a source result (e.g. critical) was seen within a rule's duration, target
// results (e.g. high) with the same `equal` values are dropped. Remembers only the last time of each (rule, key).

import type { EvaluationResult } from '@tsigma/eval';
import type { Selector } from '@tsigma/runtime';
import type { MatcherSet } from './matcher.js';

/** A validated inhibit rule. */
export interface InhibitRule {
  readonly name: string;
  readonly source: MatcherSet;
  readonly target: MatcherSet;
  readonly equal: readonly Selector[];
  readonly durationSec: number;
}

/** An active inhibition source in a snapshot. */
export interface InhibitSourceSnapshot {
  rule: string;
  equal_key: string;
  last_seen: number;
}

/** `\x1f` + string form per `equal` selector, absent as empty. */
function equalKey(rule: InhibitRule, result: EvaluationResult): string {
  let key = '';
  for (const s of rule.equal) key += '\x1f' + (s.stringOf(result) ?? '');
  return key;
}

/** The source index: per rule name, equal key → last time a source was seen. */
export class InhibitStore {
  private readonly sources = new Map<string, Map<string, number>>();

  /**
   * The name of the first rule that inhibits `result` at `nowSec`, or undefined; in that case the result is
   * recorded as a source of every rule whose `source_match` holds. A result never inhibits itself.
   */
  evaluate(rules: readonly InhibitRule[], result: EvaluationResult, nowSec: number): string | undefined {
    for (const rule of rules) {
      if (!rule.target.matches(result) || rule.source.matches(result)) continue;
      const seen = this.sources.get(rule.name)?.get(equalKey(rule, result));
      if (seen !== undefined && nowSec - seen < rule.durationSec) return rule.name;
    }
    for (const rule of rules) {
      if (!rule.source.matches(result)) continue;
      let index = this.sources.get(rule.name);
      if (index === undefined) this.sources.set(rule.name, (index = new Map<string, number>()));
      // Delete first so the entry moves to the end: snapshots then list sources in last-seen order.
      const key = equalKey(rule, result);
      index.delete(key);
      index.set(key, nowSec);
    }
    return undefined;
  }

  /** Drops sources older than their rule's duration and those of rules that no longer exist. */
  gc(rules: readonly InhibitRule[], nowSec: number): void {
    const byName = new Map(rules.map((r) => [r.name, r]));
    for (const [name, index] of this.sources) {
      const rule = byName.get(name);
      if (rule === undefined) {
        this.sources.delete(name);
        continue;
      }
      for (const [key, seen] of index) if (nowSec - seen >= rule.durationSec) index.delete(key);
      if (index.size === 0) this.sources.delete(name);
    }
  }

  /** Sources still inside their rule's duration at `nowSec`. */
  activeCount(rules: readonly InhibitRule[], nowSec: number): number {
    let n = 0;
    for (const rule of rules) for (const seen of this.sources.get(rule.name)?.values() ?? []) if (nowSec - seen < rule.durationSec) n++;
    return n;
  }

  /** Every remembered source. */
  snapshot(): InhibitSourceSnapshot[] {
    const out: InhibitSourceSnapshot[] = [];
    for (const [rule, index] of this.sources) for (const [key, seen] of index) out.push({ rule, equal_key: key, last_seen: seen });
    return out;
  }

  /** Loads one snapshot entry; false (skipped) when its rule is unknown or it is older than the rule's duration. */
  restoreOne(entry: InhibitSourceSnapshot, rules: readonly InhibitRule[], nowSec: number): boolean {
    const rule = rules.find((r) => r.name === entry.rule);
    if (rule === undefined || nowSec - entry.last_seen >= rule.durationSec) return false;
    let index = this.sources.get(rule.name);
    if (index === undefined) this.sources.set(rule.name, (index = new Map<string, number>()));
    index.set(entry.equal_key, entry.last_seen);
    return true;
  }

  /** Number of remembered sources (any age). */
  get size(): number {
    let n = 0;
    for (const index of this.sources.values()) n += index.size;
    return n;
  }

  clear(): void {
    this.sources.clear();
  }
}
