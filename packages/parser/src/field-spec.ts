// Field specs `Name|mod1|mod2`: modifier names, alias normalisation and the value-independent
// combination rules of spec 01 §5.2. Value checks (types, ranges, CIDR) live in detection-value.ts.

import { closestName } from './closest-name.js';
import type { FieldSpec, Modifier } from './ast.js';
import { SigmaParseError, type SigmaParseErrorCode, type SigmaParseSeverity } from './errors.js';

/** How a modifier takes part in the combination rules. */
type ModifierRole =
  | 'operator' // decides how the value is compared; at most one
  | 'fieldref'
  | 'regexFlag'
  | 'utf16'
  | 'base64'
  | 'windash'
  | 'expand'
  | 'all'
  | 'neq'
  | 'cased';

const MODIFIER_ROLES: Readonly<Record<Modifier, ModifierRole>> = {
  contains: 'operator',
  startswith: 'operator',
  endswith: 'operator',
  re: 'operator',
  cidr: 'operator',
  exists: 'operator',
  lt: 'operator',
  lte: 'operator',
  gt: 'operator',
  gte: 'operator',
  minute: 'operator',
  hour: 'operator',
  day: 'operator',
  week: 'operator',
  month: 'operator',
  year: 'operator',
  fieldref: 'fieldref',
  i: 'regexFlag',
  m: 'regexFlag',
  s: 'regexFlag',
  wide: 'utf16',
  utf16: 'utf16',
  utf16be: 'utf16',
  base64: 'base64',
  base64offset: 'base64',
  windash: 'windash',
  expand: 'expand',
  all: 'all',
  neq: 'neq',
  cased: 'cased',
};

/** Alternative spellings accepted in rules, normalised to the names of {@link Modifier}. */
const MODIFIER_ALIASES: Readonly<Record<string, Modifier>> = {
  utf16le: 'wide',
  ignorecase: 'i',
  multiline: 'm',
  dotall: 's',
};

const SUBSTRING_OPERATORS: ReadonlySet<Modifier> = new Set(['contains', 'startswith', 'endswith']);

/** Position of each value transformation in the fixed application order (spec 01 §5.2). */
const TRANSFORM_RANK: Partial<Readonly<Record<Modifier, number>>> = {
  expand: 0,
  windash: 1,
  wide: 2,
  utf16: 2,
  utf16be: 2,
  base64: 3,
  base64offset: 3,
  contains: 4,
  startswith: 4,
  endswith: 4,
};

/** Edit distance under which an unknown modifier gets a "did you mean" hint. */
const SUGGESTION_MAX_DISTANCE = 2;

/** One problem found in a field spec; the caller attaches the location. */
interface FieldSpecProblem {
  code: SigmaParseErrorCode;
  severity: SigmaParseSeverity;
  message: string;
}

/**
 * Analyses already made, by key: rule sets write the same few hundred keys (`CommandLine|contains`) tens of
 * thousands of times. Entries are never handed out: each call gets its own spec and problem list.
 */
const analysed = new Map<string, { name: string | null; modifiers: readonly Modifier[]; problems: readonly FieldSpecProblem[] }>();
const MAX_ANALYSED_KEYS = 4096;

/** Splits a key into a field spec and lists every problem of its modifiers (errors and warnings). */
export function analyzeFieldSpec(key: string): { spec: FieldSpec; problems: FieldSpecProblem[] } {
  const bar = key.indexOf('|');
  if (bar < 0) return { spec: { name: key === '' ? null : key, modifiers: [] }, problems: [] };
  let known = analysed.get(key);
  if (known === undefined) {
    const fresh = analyzeModifiedKey(key, bar);
    known = { name: fresh.spec.name, modifiers: fresh.spec.modifiers, problems: fresh.problems };
    if (analysed.size >= MAX_ANALYSED_KEYS) analysed.clear();
    analysed.set(key, known);
  }
  return { spec: { name: known.name, modifiers: known.modifiers.slice() }, problems: known.problems.slice() };
}

function analyzeModifiedKey(key: string, bar: number): { spec: FieldSpec; problems: FieldSpecProblem[] } {
  const name = key.slice(0, bar);
  const fieldLabel = name === '' ? 'keyword item' : `field '${name}'`;
  const problems: FieldSpecProblem[] = [];
  const modifiers: Modifier[] = [];
  for (const written of key.slice(bar + 1).split('|')) {
    const mod = normaliseModifier(written);
    if (mod !== undefined) {
      modifiers.push(mod);
    } else if (written === 'not') {
      problems.push(
        error(
          'not_is_not_a_modifier',
          `'not' is not a modifier (on ${fieldLabel}); negate the selection in the condition ('not selection') or use the 'neq' modifier`,
        ),
      );
    } else {
      const hint = suggestModifier(written);
      problems.push(error('unknown_modifier', `unknown modifier '${written}' on ${fieldLabel}${hint ? `; did you mean '${hint}'?` : ''}`));
    }
  }
  // Arrays grown by push keep spare capacity (17 slots from the first push); every rule keeps its AST,
  // so the exact-length copy is what survives.
  const spec: FieldSpec = { name: name === '' ? null : name, modifiers: modifiers.slice() };
  if (problems.length === 0) checkCombination(modifiers, fieldLabel, problems);
  return { spec, problems };
}

/**
 * Parses a detection key such as `CommandLine|contains|all`; throws `SigmaParseError` on an unknown or conflicting modifier.
 *
 * @example
 * parseFieldSpec('Image|endswith'); // { name: 'Image', modifiers: ['endswith'] }
 */
export function parseFieldSpec(key: string): FieldSpec {
  const { spec, problems } = analyzeFieldSpec(key);
  const first = problems.find((p) => p.severity === 'error');
  if (first) throw new SigmaParseError(first.code, first.message);
  return spec;
}

function normaliseModifier(written: string): Modifier | undefined {
  if (Object.hasOwn(MODIFIER_ROLES, written)) return written as Modifier;
  return Object.hasOwn(MODIFIER_ALIASES, written) ? MODIFIER_ALIASES[written] : undefined;
}

function checkCombination(mods: Modifier[], fieldLabel: string, problems: FieldSpecProblem[]): void {
  const conflict = (offenders: readonly string[], why: string): void => {
    problems.push(error('conflicting_modifiers', `conflicting modifiers ${offenders.join(', ')} on ${fieldLabel}: ${why}`));
  };
  const seen = new Set<Modifier>();
  for (const m of mods) {
    if (seen.has(m)) return conflict([m, m], `'${m}' is given twice`);
    seen.add(m);
  }
  const byRole = (role: ModifierRole): Modifier[] => mods.filter((m) => MODIFIER_ROLES[m] === role);
  const operators = byRole('operator');
  const hasFieldref = seen.has('fieldref');

  if (seen.has('exists') && mods.length > 1) return conflict(mods, "'exists' must be the only modifier");
  if (hasFieldref) {
    if (operators.length > 1 || (operators.length === 1 && !SUBSTRING_OPERATORS.has(operators[0] as Modifier))) {
      return conflict(['fieldref', ...operators], "'fieldref' combines only with one of contains, startswith, endswith");
    }
  } else if (operators.length > 1) {
    return conflict(operators, 'at most one comparison operator is allowed');
  }
  const utf16 = byRole('utf16');
  if (utf16.length > 1) return conflict(utf16, 'choose one UTF-16 encoding');
  const base64 = byRole('base64');
  if (base64.length > 1) return conflict(base64, "'base64' and 'base64offset' exclude each other");

  const transforms = mods.filter((m) => {
    const role = MODIFIER_ROLES[m];
    return role === 'utf16' || role === 'base64' || role === 'windash' || role === 'expand';
  });
  const nonSubstring = [...operators.filter((m) => !SUBSTRING_OPERATORS.has(m)), ...(hasFieldref ? ['fieldref' as const] : [])];
  if (transforms.length > 0 && nonSubstring.length > 0) {
    return conflict([...transforms, ...nonSubstring], 'value transformations only combine with contains, startswith or endswith');
  }
  if (seen.has('cidr')) {
    const others = mods.filter((m) => m !== 'cidr' && m !== 'neq' && m !== 'all');
    if (others.length > 0) return conflict(['cidr', ...others], "'cidr' combines only with 'neq' and 'all'");
  }
  const flags = byRole('regexFlag');
  if (flags.length > 0 && !seen.has('re')) {
    problems.push(
      error(
        'regex_flag_without_re',
        `regex flag${flags.length > 1 ? 's' : ''} ${flags.join(', ')} on ${fieldLabel} need${flags.length > 1 ? '' : 's'} the 're' modifier`,
      ),
    );
    return;
  }
  if (seen.has('cased') && seen.has('re')) {
    problems.push(
      warning(
        'conflicting_modifiers',
        `'cased' has no effect with 're' on ${fieldLabel}: regular expressions are case-sensitive unless 'i' is given`,
      ),
    );
  }
  let lastRank = -1;
  for (const m of mods) {
    const rank = TRANSFORM_RANK[m];
    if (rank === undefined) continue;
    if (rank < lastRank) {
      const ordered = mods
        .filter((x) => TRANSFORM_RANK[x] !== undefined)
        .sort((a, b) => (TRANSFORM_RANK[a] ?? 0) - (TRANSFORM_RANK[b] ?? 0));
      problems.push(warning('modifier_order', `modifiers on ${fieldLabel} are applied in the order ${ordered.join(', ')}, not as written`));
      break;
    }
    lastRank = rank;
  }
}

function suggestModifier(written: string): string | undefined {
  return closestName(written.toLowerCase(), [...Object.keys(MODIFIER_ROLES), ...Object.keys(MODIFIER_ALIASES)], SUGGESTION_MAX_DISTANCE);
}

function error(code: SigmaParseErrorCode, message: string): FieldSpecProblem {
  return { code, severity: 'error', message };
}

function warning(code: SigmaParseErrorCode, message: string): FieldSpecProblem {
  return { code, severity: 'warning', message };
}
