// The human view of an explanation (spec 11 §8, 02 §10): an indented PASS/FAIL tree, one line per node.
import type { RuleExplanation } from '@tsigma/eval';
import { cutText, jsonPrefix } from '../output-format.js';

type ConditionTrace = RuleExplanation['conditions'][number];
type DetectionTrace = Extract<ConditionTrace, { type: 'selection' }>['detection'];
type ItemTrace = Extract<DetectionTrace, { type: 'keywords' }>['item'];

const INDENT = '  ';
/** An `actual=` value JSON cannot print whole (nested too deeply) is shown up to this many characters. */
const MAX_UNPRINTABLE_ACTUAL_CHARS = 1000;

/** Renders one rule's explanation as text ending in a newline. */
export function renderExplanation(e: RuleExplanation): string {
  const verdict = e.routed_out !== undefined ? `SKIPPED by logsource routing: ${e.routed_out}` : e.matched ? 'MATCH' : 'NO MATCH';
  const lines = [`${e.rule_title}${e.rule_id ? ` (${e.rule_id})` : ''}: ${verdict}`];
  for (const c of e.conditions) renderCondition(c, 1, lines);
  return lines.join('\n') + '\n';
}

function mark(matched: boolean): string {
  return matched ? 'PASS' : 'FAIL';
}

function renderCondition(c: ConditionTrace, depth: number, out: string[]): void {
  const pad = INDENT.repeat(depth);
  switch (c.type) {
    case 'and':
    case 'or':
      out.push(`${pad}${mark(c.matched)} ${c.type}:`);
      for (const child of c.children) renderCondition(child, depth + 1, out);
      return;
    case 'not':
      out.push(`${pad}${mark(c.matched)} not:`);
      renderCondition(c.child, depth + 1, out);
      return;
    case 'selection':
      out.push(`${pad}${mark(c.matched)} ${c.name}`);
      renderDetection(c.detection, depth + 1, out);
      return;
    case 'quantified':
      out.push(`${pad}${mark(c.matched)} ${c.quantifier} of (need ${c.need}, got ${c.got}):`);
      for (const b of c.branches) {
        out.push(`${pad}${INDENT}${mark(b.matched)} ${b.name}`);
        renderDetection(b.detection, depth + 2, out);
      }
      return;
  }
}

function renderDetection(d: DetectionTrace, depth: number, out: string[]): void {
  const pad = INDENT.repeat(depth);
  switch (d.type) {
    case 'all_of':
      out.push(`${pad}${mark(d.matched)} all of:`);
      for (const item of d.items) out.push(renderItem(item, depth + 1));
      return;
    case 'any_of':
      out.push(`${pad}${mark(d.matched)} any of:`);
      for (const branch of d.branches) renderDetection(branch, depth + 1, out);
      return;
    case 'keywords':
      out.push(`${pad}${mark(d.matched)} keywords:`);
      out.push(renderItem(d.item, depth + 1));
      return;
  }
}

function renderItem(item: ItemTrace, depth: number): string {
  const name = `${item.field ?? 'keyword'}|${item.matcher}`;
  const pattern = item.pattern === undefined ? '' : ` "${item.pattern}"`;
  const actual = !item.matched && item.actual !== undefined ? `  actual=${actualJson(item.actual)}` : '';
  return `${INDENT.repeat(depth)}${mark(item.matched)} ${name}${pattern}${actual} (${item.reason.replace(/_/g, ' ').replace('existence', 'existence check failed')})`;
}

/** The value as JSON; one nested too deeply for JSON.stringify is shown cut instead of ending the command. */
function actualJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return cutText(jsonPrefix(value, MAX_UNPRINTABLE_ACTUAL_CHARS), MAX_UNPRINTABLE_ACTUAL_CHARS);
  }
}
