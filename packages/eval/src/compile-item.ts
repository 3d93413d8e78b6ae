// Item and value compilation (spec 02 §4–§6): one `field|modifiers: values` item becomes value matchers,
// with literals folded, regexes, CIDRs and encodings built once. Never reads events.

import { ContainsAny } from './contains-any.js';
import type { DetectionItem, Modifier, SigmaString, SigmaValue } from '@tsigma/parser';
import { parseCidr } from './cidr.js';
import type { CompiledItem } from './compile.js';
import { base64, base64OffsetFragments, bytesAsLatin1, encodeText, type TextEncoding } from './encoding.js';
import { fail, jsonPointer, type RuleCompileErrorCode, type RuleCompileSpot } from './errors.js';
import { FieldPath } from './event.js';
import {
  AnyOfMatcher,
  BoolMatcher,
  CidrMatcher,
  CompareMatcher,
  FieldRefMatcher,
  NullMatcher,
  NumberMatcher,
  RegexMatcher,
  StringMatcher,
  TimePartMatcher,
  type CompareOp,
  type TimePart,
  type ValueMatcher,
} from './matchers.js';
import { valueText } from './pipeline/sigma-value.js';
import { compileLinearRegex } from './regex.js';
import type { MatcherKind } from './result.js';
import {
  anchorLoosen,
  compilePattern,
  literalPattern,
  mapLiterals,
  pushLiteral,
  tokensOf,
  windashTokens,
  type PatternToken,
} from './string-pattern.js';

const OPERATORS = ['contains', 'startswith', 'endswith'] as const;
const COMPARE_OPS: readonly CompareOp[] = ['lt', 'lte', 'gt', 'gte'];
const TIME_PARTS: readonly TimePart[] = ['minute', 'hour', 'day', 'week', 'month', 'year'];

/**
 * What an item's modifiers ask for, read in one pass: compiling a value then tests fields instead of
 * searching the modifier list again for each of the two dozen modifiers it may carry.
 */
interface ItemModifiers {
  stringOp: 'contains' | 'startswith' | 'endswith' | null;
  compare: CompareOp | null;
  timePart: TimePart | null;
  /** `wide`, `utf16be` or `utf16`. */
  encoding: TextEncoding | null;
  base64: boolean;
  base64offset: boolean;
  all: boolean;
  exists: boolean;
  cased: boolean;
  neq: boolean;
  windash: boolean;
  re: boolean;
  i: boolean;
  m: boolean;
  s: boolean;
  cidr: boolean;
  expand: boolean;
  fieldref: boolean;
}

function readModifiers(modifiers: readonly Modifier[]): ItemModifiers {
  const out: ItemModifiers = {
    stringOp: null,
    compare: null,
    timePart: null,
    encoding: null,
    base64: false,
    base64offset: false,
    all: false,
    exists: false,
    cased: false,
    neq: false,
    windash: false,
    re: false,
    i: false,
    m: false,
    s: false,
    cidr: false,
    expand: false,
    fieldref: false,
  };
  for (let k = 0; k < modifiers.length; k++) {
    const mod = modifiers[k] as Modifier;
    switch (mod) {
      case 'contains':
      case 'startswith':
      case 'endswith':
        // With several operators (invalid, rejected by the parser) the spec order decides.
        if (out.stringOp === null || OPERATORS.indexOf(mod) < OPERATORS.indexOf(out.stringOp)) out.stringOp = mod;
        break;
      case 'lt':
      case 'lte':
      case 'gt':
      case 'gte':
        if (out.compare === null || COMPARE_OPS.indexOf(mod) < COMPARE_OPS.indexOf(out.compare)) out.compare = mod;
        break;
      case 'minute':
      case 'hour':
      case 'day':
      case 'week':
      case 'month':
      case 'year':
        if (out.timePart === null || TIME_PARTS.indexOf(mod) < TIME_PARTS.indexOf(out.timePart)) out.timePart = mod;
        break;
      case 'wide':
        out.encoding = 'utf16le';
        break;
      case 'utf16be':
        if (out.encoding !== 'utf16le') out.encoding = 'utf16be';
        break;
      case 'utf16':
        if (out.encoding === null) out.encoding = 'utf16';
        break;
      default:
        out[mod] = true;
    }
  }
  return out;
}

/** Where an item sits, for errors: the pointer (`/detection/selection/Image|endswith`) is only built for an error. */
class ItemPlace {
  constructor(
    readonly rule: RuleCompileSpot,
    private readonly detection: string,
    private readonly item: DetectionItem,
  ) {}

  fail(code: RuleCompileErrorCode, detail: string): never {
    const field = this.item.field;
    const pointer = field.name === null ? this.detection : this.detection + jsonPointer([field.name, ...field.modifiers].join('|'));
    return fail(code, detail, this.rule, pointer, this.item.location);
  }
}

/** Compiles one detection item of the detection at JSON pointer `detPointer` into matchers and its fast-path sets. */
export function compileItem(item: DetectionItem, spot: RuleCompileSpot, detPointer: string): CompiledItem {
  const mods = readModifiers(item.field.modifiers);
  const field = item.field.name;
  const place = new ItemPlace(spot, detPointer, item);
  const coalesce = item.field.coalesce;
  const paths = field === null ? [] : (coalesce !== undefined && coalesce.length > 0 ? coalesce : [field]).map((p) => new FieldPath(p));
  if (mods.exists) {
    const want = existsValue(item.values[0]);
    if (item.values.length !== 1 || want === null) place.fail('incompatible_value', '`exists` takes one value, true or false');
    return {
      field,
      paths,
      exists: want,
      matchers: [],
      all: false,
      neq: false,
      hasNull: false,
      kind: 'exists',
      textTests: null,
      textExact: null,
      textContains: null,
      textFolded: false,
      numbers: null,
    };
  }
  const values = item.values;
  const matchers = new Array<ValueMatcher>(values.length);
  let hasNull = false;
  for (let k = 0; k < values.length; k++) {
    const v = values[k] as SigmaValue;
    if (v.type === 'null') hasNull = true;
    matchers[k] = compileValue(v, mods, field === null, place);
  }
  const first = matchers[0];
  const all = mods.all;
  const strings =
    matchers.length > 0 && matchers.every((m) => m instanceof StringMatcher && m.caseSensitive === first?.caseSensitive)
      ? (matchers as StringMatcher[])
      : null;
  // Long value lists are mostly exact literals: one set lookup replaces one comparison per value.
  const exactAll = strings !== null && !all && strings.length > 1 ? strings.filter((m) => m.compiled.shape === 'exact') : [];
  const exact = exactAll.length > 1 ? exactAll : [];
  const containsAll = strings !== null && !all ? strings.filter((m) => m.compiled.shape === 'contains') : [];
  const contains = containsAll.length >= MIN_CONTAINS_AUTOMATON ? containsAll : [];
  const numberOnly = !all && matchers.length > 1 && matchers.every((m) => m instanceof NumberMatcher);
  const kind: MatcherKind = matchers.length === 1 && first !== undefined ? first.kind : 'one_of';
  return {
    field,
    paths,
    exists: null,
    matchers,
    all,
    neq: mods.neq,
    hasNull,
    kind,
    textTests:
      strings === null
        ? null
        : exact.length === 0 && contains.length === 0
          ? strings.map((m) => m.compiled.test)
          : withoutPulled(strings, exact, contains),
    textExact: exact.length > 0 ? new Set(exact.map((m) => m.compiled.longestLiteral)) : null,
    textContains: contains.length > 0 ? new ContainsAny(contains.map((m) => m.compiled.longestLiteral)) : null,
    textFolded: strings !== null && first !== undefined && !first.caseSensitive,
    numbers: numberOnly ? new Set(matchers.map((m) => m.value)) : null,
  };
}

/**
 * The rule literal(s) of an item as details and explain show them, joined by `, `. Built on demand:
 * items of long value lists (hash lists) would otherwise each keep one large string nobody reads. With `limit`, the
 * join stops once it is longer than that (callers cut it).
 */
export function itemPattern(item: CompiledItem, limit = Number.POSITIVE_INFINITY): string {
  if (item.exists !== null) return String(item.exists);
  const only = item.matchers.length === 1 ? item.matchers[0] : undefined;
  if (only !== undefined) return only.pattern;
  // Joined only as far as `limit` (plus one separator): a 10^5-value IOC list must not cost a 10^5 join per match.
  let out = '';
  for (let i = 0; i < item.matchers.length && out.length <= limit; i++)
    out += (i > 0 ? ', ' : '') + (item.matchers[i] as { pattern: string }).pattern;
  return out;
}

/** The tests of `strings` not pulled into the exact set or the contains automaton (Set lookups: lists are long). */
function withoutPulled(
  strings: readonly StringMatcher[],
  exact: readonly StringMatcher[],
  contains: readonly StringMatcher[],
): ((t: string) => boolean)[] {
  const pulled = new Set<StringMatcher>([...exact, ...contains]);
  return strings.filter((m) => !pulled.has(m)).map((m) => m.compiled.test);
}

/**
 * From this many plain `contains` values on, an item tests them with one automaton: below it, a few `includes`
 * calls are cheaper than the automaton's table walk.
 */
const MIN_CONTAINS_AUTOMATON = 32;

function existsValue(v: SigmaValue | undefined): boolean | null {
  if (v === undefined) return null;
  if (v.type === 'bool') return v.value;
  if (v.type === 'string') {
    const t = v.value.original.trim().toLowerCase();
    if (t === 'true' || t === 'yes') return true;
    if (t === 'false' || t === 'no') return false;
  }
  return null;
}

function rawText(s: SigmaString): string {
  const parts = s.parts;
  if (parts.length === 1) {
    const only = parts[0] as SigmaString['parts'][number];
    return 'text' in only ? only.text : only.wildcard;
  }
  return parts.map((p) => ('text' in p ? p.text : p.wildcard)).join('');
}

function compileValue(v: SigmaValue, mods: ItemModifiers, keyword: boolean, place: ItemPlace): ValueMatcher {
  if (v.type === 'null') return new NullMatcher();
  const pattern = valueText(v);
  if (mods.fieldref) {
    if (v.type !== 'string') place.fail('incompatible_value', '`fieldref` needs a field name');
    const target = v.coalesce !== undefined && v.coalesce.length > 0 ? v.coalesce : [rawText(v.value)];
    return new FieldRefMatcher(
      pattern,
      target.map((p) => new FieldPath(p)),
      mods.stringOp ?? 'exact',
      mods.cased,
    );
  }
  if (mods.re) {
    if (v.type !== 'string') place.fail('incompatible_value', '`re` needs a string');
    const res = compileLinearRegex(rawText(v.value), { i: mods.i, m: mods.m, s: mods.s });
    if (!res.ok) place.fail('invalid_regex', res.reason);
    return new RegexMatcher(pattern, res.regex);
  }
  if (mods.cidr) {
    const net = v.type === 'string' ? parseCidr(rawText(v.value).trim()) : null;
    if (net === null) place.fail('invalid_cidr', `${JSON.stringify(pattern)} is not an IPv4 or IPv6 network`);
    return new CidrMatcher(pattern, net);
  }
  if (mods.compare !== null) return new CompareMatcher(mods.compare, numberOf(v, place));
  if (mods.timePart !== null) return new TimePartMatcher(mods.timePart, numberOf(v, place));
  const stringOp = mods.stringOp;
  const encoding = mods.encoding;
  const encoded = mods.base64 || mods.base64offset || encoding !== null;
  if (v.type === 'bool' && !keyword) return new BoolMatcher(v.value);
  if (v.type === 'number' && !keyword && stringOp === null && !encoded) return new NumberMatcher(v.value);
  let tokens: PatternToken[];
  if (v.type === 'string') tokens = tokensOf(v.value);
  else {
    tokens = [];
    pushLiteral(tokens, String(v.value));
  }
  if (mods.expand) tokens = resolveExpand(tokens, place);
  if (mods.windash) tokens = windashTokens(tokens);
  const op = stringOp ?? (keyword ? 'contains' : null);
  if (mods.base64 || mods.base64offset) {
    const variants = expandClasses(tokens, place);
    const alternatives: StringMatcher[] = [];
    for (const text of variants) {
      const bytes = encodeText(text, encoding ?? 'utf8');
      const pieces = mods.base64offset ? base64OffsetFragments(bytes) : [base64(bytes)];
      const pieceOp = mods.base64offset ? 'contains' : op;
      for (const piece of pieces) {
        const t: PatternToken[] = [];
        pushLiteral(t, piece);
        alternatives.push(stringMatcher(t, pieceOp, true, pattern));
      }
    }
    if (alternatives.length === 1) return alternatives[0] as StringMatcher;
    return new AnyOfMatcher(mods.base64offset ? 'contains' : (alternatives[0]?.kind ?? 'exact'), pattern, alternatives);
  }
  if (encoding !== null) tokens = mapLiterals(tokens, (s) => bytesAsLatin1(encodeText(s, encoding === 'utf16' ? 'utf16le' : encoding)));
  return stringMatcher(tokens, op, mods.cased, pattern);
}

function numberOf(v: SigmaValue, place: ItemPlace): number {
  if (v.type === 'number') return v.value;
  if (v.type === 'string') {
    const n = Number(rawText(v.value).trim());
    if (rawText(v.value).trim() !== '' && Number.isFinite(n)) return n;
  }
  return place.fail('incompatible_value', `${JSON.stringify(valueText(v))} is not a number`);
}

/** Builds a string matcher; literals are lower-cased once here unless `cased`. */
function stringMatcher(
  tokens: PatternToken[],
  op: 'contains' | 'startswith' | 'endswith' | null,
  cased: boolean,
  pattern: string,
): StringMatcher {
  const only = tokens[0];
  if (tokens.length === 1 && only?.t === 'lit') {
    // One literal (most rule values): its shape is the operator's, no token analysis needed.
    const shape = op ?? 'exact';
    const lowered = literalPattern(shape, only.s.toLowerCase());
    return cased
      ? new StringMatcher(shape, pattern, literalPattern(shape, only.s), true, lowered)
      : new StringMatcher(shape, pattern, lowered, false, null);
  }
  const loose = anchorLoosen(tokens, op === 'contains' || op === 'endswith', op === 'contains' || op === 'startswith');
  const lowered = compilePattern(mapLiterals(loose, (s) => s.toLowerCase()));
  const compiled = cased ? compilePattern(loose) : lowered;
  const folded = cased ? lowered : null;
  const kind: MatcherKind =
    compiled.shape !== 'glob' ? compiled.shape : (op ?? (tokens.some((t) => t.t === 'star' || t.t === 'one') ? 'regex' : 'exact'));
  return new StringMatcher(kind, pattern, compiled, cased, folded);
}

// `%name%` left in an `|expand` value: pipelines resolve placeholders, so one left here is an error.
const PLACEHOLDER = /(^|[^\\])%[^%\s]+%/;

function resolveExpand(tokens: PatternToken[], place: ItemPlace): PatternToken[] {
  for (const tok of tokens) {
    if (tok.t === 'lit' && PLACEHOLDER.test(tok.s)) {
      place.fail('unresolved_placeholder', `placeholder in ${JSON.stringify(tok.s)} is not defined by any pipeline`);
    }
  }
  return mapLiterals(tokens, (s) => s.replace(/\\%/g, '%'));
}

/** Cap on windash variants spelled out for Base64 (each dash has five spellings). */
const MAX_ENCODED_VARIANTS = 625;

// Base64 cannot carry a character class, so windash classes are spelled out (few dashes in practice).
function expandClasses(tokens: PatternToken[], place: ItemPlace): string[] {
  let out = [''];
  for (const tok of tokens) {
    if (tok.t === 'lit') out = out.map((s) => s + tok.s);
    else if (tok.t === 'class') {
      out = out.flatMap((s) => [...tok.chars].map((c) => s + c));
      if (out.length > MAX_ENCODED_VARIANTS)
        place.fail('incompatible_value', `too many windash variants to encode (over ${MAX_ENCODED_VARIANTS})`);
    } else place.fail('incompatible_value', 'wildcards cannot be Base64-encoded');
  }
  return out;
}
