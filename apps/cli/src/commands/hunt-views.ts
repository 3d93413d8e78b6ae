// The hunting views of `tsigma eval` (issue 13), for placing hits in time as Hayabusa and Chainsaw users do: a
// timeline row per result (Timestamp, Computer, Channel, EventID, RecordID, Level, Rule, Details, Source) rendered
// as aligned text, CSV or TSV, and the closing summary (hits per level, top rules and computers, time range).
import type { EvaluationResult } from '@tsigma/eval';
import { jsonPrefix } from '../output-format.js';

export const TIMELINE_HEADER = ['Timestamp', 'Computer', 'Channel', 'EventID', 'RecordID', 'Level', 'Rule', 'Details', 'Source'];

/** A value longer than this is cut in Details (CSV and TSV rows included: one hit must stay one readable row). */
const MAX_VALUE_CHARS = 1000;
/** Containers under which an EVTX field's own name is what an analyst knows it by. */
const EVTX_CONTAINERS = /^Event\.(?:EventData|UserData|System)\./;

/** One result as a timeline row, every cell on one line. */
export function timelineRow(r: EvaluationResult): string[] {
  return [
    r.event_time ?? '',
    r.computer ?? '',
    r.channel ?? '',
    r.event_id === undefined ? '' : String(r.event_id),
    r.record_id === undefined ? '' : String(r.record_id),
    r.level ?? '',
    oneLine(r.rule_title),
    details(r),
    r.source ?? '',
  ];
}

/** What matched: `Field: value` pairs of a detection, the group and value of a correlation. */
export function details(r: EvaluationResult): string {
  if ('correlation_type' in r) {
    const group = r.group_key.map(([k, v]) => `${k}: ${oneLine(v)}`);
    return [...group, `${r.correlation_type}: ${r.aggregated_value}`].join(' ¦ ');
  }
  return r.matched_fields
    .map((f) => {
      const value = typeof f.value === 'string' ? f.value : jsonPrefix(f.value, MAX_VALUE_CHARS);
      const shown = value.length > MAX_VALUE_CHARS ? value.slice(0, MAX_VALUE_CHARS - 1) + '…' : value;
      return `${fieldLabel(f.field)}: ${oneLine(shown)}`;
    })
    .join(' ¦ ');
}

/** An EVTX path by the name the windows pipeline gives it: `Event.System.Provider.#attributes.Name` → `Provider_Name`. */
function fieldLabel(field: string): string {
  if (!EVTX_CONTAINERS.test(field)) return field;
  return field
    .replace(EVTX_CONTAINERS, '')
    .replace(/\.#attributes\./g, '_')
    .replace(/\.#text$/, '');
}

/** Line breaks and tabs as `\n`, `\r`, `\t` (and a backslash before them doubled), so a value stays on its row. */
export function oneLine(text: string): string {
  return /[\r\n\t]/.test(text)
    ? text
        .replace(/\\(?=[rnt])/g, '\\\\')
        .replace(/\r/g, '\\r')
        .replace(/\n/g, '\\n')
        .replace(/\t/g, '\\t')
    : text;
}

/** RFC 4180: a cell with a comma, quote or line break is quoted, quotes doubled. */
export function csvLine(cells: readonly string[]): string {
  return cells.map((c) => (/[",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',') + '\r\n';
}

/** Tab-separated; cells never hold tabs or line breaks (see {@link oneLine}). */
export function tsvLine(cells: readonly string[]): string {
  return cells.map(oneLine).join('\t') + '\n';
}

/** Orders results by `event_time` (ISO text sorts as time); results without one keep their order, after the rest. */
export function sortByTime(results: EvaluationResult[]): EvaluationResult[] {
  const keyed = results.map((r, i) => ({ r, i, t: r.event_time }));
  keyed.sort((a, b) => {
    if (a.t === b.t) return a.i - b.i;
    if (a.t === undefined) return 1;
    if (b.t === undefined) return -1;
    return a.t < b.t ? -1 : 1;
  });
  return keyed.map((k) => k.r);
}

const LEVEL_ORDER = ['critical', 'high', 'medium', 'low', 'informational'] as const;
const TOP = 5;

/** What the run found, as Hayabusa prints it after a scan: counted from the delivered results. */
export class HuntSummary {
  private readonly byLevel = new Map<string, number>();
  private readonly byRule = new Map<string, number>();
  private readonly byComputer = new Map<string, number>();
  private first: string | undefined;
  private last: string | undefined;
  /** Results delivered. */
  hits = 0;

  add(results: readonly EvaluationResult[]): void {
    for (const r of results) {
      this.hits++;
      bump(this.byLevel, r.level ?? 'none');
      bump(this.byRule, `${r.rule_title} (${r.level ?? 'none'})`);
      if (r.computer !== undefined) bump(this.byComputer, r.computer);
      const t = r.event_time;
      if (t !== undefined) {
        if (this.first === undefined || t < this.first) this.first = t;
        if (this.last === undefined || t > this.last) this.last = t;
      }
    }
  }

  /** The summary lines (none when nothing was found). */
  render(): string[] {
    if (this.hits === 0) return [];
    const levels = [...LEVEL_ORDER, 'none']
      .filter((l) => this.byLevel.has(l))
      .map((l) => `${l} ${this.byLevel.get(l)}`)
      .join(', ');
    const lines = [`Hits by level: ${levels}`];
    lines.push(`Top rules: ${top(this.byRule)}`);
    if (this.byComputer.size > 0) lines.push(`Top computers: ${top(this.byComputer)}`);
    if (this.first !== undefined) lines.push(`Event time: first ${this.first}, last ${this.last}`);
    return lines;
  }
}

function bump(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

function top(counts: Map<string, number>): string {
  return [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, TOP)
    .map(([k, n]) => `${k} ×${n}`)
    .join('; ');
}
