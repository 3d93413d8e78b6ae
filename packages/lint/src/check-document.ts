// The checks over one YAML document's positioned tree (spec 11 §5): metadata, detection, correlation and filter
// blocks. It reports raw findings by source offset and never reads files or decides severities.
import {
  closestName as closestNameWithin,
  parseTimespan,
  SIGMA_LEVELS,
  SIGMA_STATUSES,
  type TreeEntry,
  type TreeMap,
  type TreeNode,
  type TreeScalar,
} from '@tsigma/parser';
import { pointerOf, type TextEdit } from './finding.js';
import type { LintRuleId } from './rules.js';

/** A finding before it is located and given its severity. */
export interface RawFinding {
  rule: LintRuleId;
  message: string;
  offset: number;
  pointer: string;
  edits?: TextEdit[];
}

/** A rule reference (`correlation.rules`, `filter.rules`) to resolve once every file of a run is read. */
export interface RuleReference {
  name: string;
  offset: number;
  pointer: string;
}

/** What one document checked gives: its findings, the names it defines and the rules it references. */
interface DocumentReport {
  findings: RawFinding[];
  /** `id` and `name` of the rule (what correlations and filters may reference). */
  defines: string[];
  references: RuleReference[];
}

/** Settings of the document checks. */
interface CheckOptions {
  /** Tag namespaces accepted besides the standard ones. */
  tagNamespaces: readonly string[];
}

/** Titles and names longer than this are hard to read in alert lists; the Sigma specification caps them at 256. */
const MAX_TITLE_CHARS = 256;
/** The Sigma specification caps descriptions at 65,535 characters. */
const MAX_DESCRIPTION_CHARS = 65_535;

const STATUSES: readonly string[] = SIGMA_STATUSES;
const LEVELS: readonly string[] = SIGMA_LEVELS;
const RELATED_TYPES = ['derived', 'obsolete', 'merged', 'renamed', 'similar'];
const STANDARD_TAG_NAMESPACES = ['attack', 'car', 'cve', 'detection', 'stp', 'tlp'];
const CORRELATION_TYPES = [
  'event_count',
  'value_count',
  'temporal',
  'temporal_ordered',
  'value_sum',
  'value_avg',
  'value_percentile',
  'value_median',
];
const TEMPORAL_TYPES = new Set(['temporal', 'temporal_ordered']);
const FIELD_TYPES = new Set(['value_count', 'value_sum', 'value_avg', 'value_percentile', 'value_median']);
const CONDITION_OPERATORS = new Set(['gt', 'gte', 'lt', 'lte', 'eq', 'neq', 'field', 'percentile']);
const WINDOW_MODES = ['sliding', 'tumbling', 'session'];

/** Top-level keys of the Sigma specification v2.1.0 (detection, correlation and filter rules). */
const KNOWN_KEYS: readonly string[] = [
  'title',
  'id',
  'name',
  'related',
  'taxonomy',
  'status',
  'description',
  'license',
  'author',
  'references',
  'date',
  'modified',
  'logsource',
  'detection',
  'fields',
  'falsepositives',
  'level',
  'tags',
  'scope',
  'correlation',
  'filter',
  'generate',
  'sigma-version',
  'custom_attributes',
  'action',
];
const KNOWN_KEY_SET = new Set(KNOWN_KEYS);
/** Engine-specific attributes the specification leaves to implementations. */
const CUSTOM_KEY_PREFIXES = ['tsigma.', 'rsigma.'];

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TAG_RE = /^[a-z0-9_-]+\.[a-z0-9_.-]+$/;
/** Modifiers under which a lone `*` is not a match-anything wildcard. */
const NON_WILDCARD_MODIFIERS = new Set(['re', 'cidr', 'exists', 'lt', 'lte', 'gt', 'gte', 'fieldref', 'expand']);

/** Checks one document (a mapping) of a rule file. */
export function checkDocument(text: string, doc: TreeMap, options: CheckOptions): DocumentReport {
  return new DocumentChecker(text, doc, options).run();
}

class DocumentChecker {
  private readonly findings: RawFinding[] = [];
  private readonly defines: string[] = [];
  private readonly references: RuleReference[] = [];

  constructor(
    private readonly text: string,
    private readonly doc: TreeMap,
    private readonly options: CheckOptions,
  ) {}

  run(): DocumentReport {
    const doc = this.doc;
    this.checkKeys();
    // `action: global/reset/repeat` documents are templates and patches; only their keys are checked.
    if (entry(doc, 'action') !== undefined) return this.report();
    const kind = entry(doc, 'correlation') ? 'correlation' : entry(doc, 'filter') ? 'filter' : 'detection';
    this.checkMetadata(kind);
    if (kind === 'detection') this.checkDetectionRule();
    else if (kind === 'correlation') this.checkCorrelationRule();
    else this.checkFilterRule();
    return this.report();
  }

  private report(): DocumentReport {
    return { findings: this.findings, defines: this.defines, references: this.references };
  }

  private add(rule: LintRuleId, message: string, offset: number, pointer: (string | number)[], edits?: TextEdit[]): void {
    const finding: RawFinding = { rule, message, offset, pointer: pointerOf(pointer) };
    if (edits !== undefined) finding.edits = edits;
    this.findings.push(finding);
  }

  private checkKeys(): void {
    const present = new Set(this.doc.entries.map((e) => e.key));
    for (const e of this.doc.entries) {
      const lower = e.key.toLowerCase();
      if (CUSTOM_KEY_PREFIXES.some((p) => lower.startsWith(p))) continue;
      if (e.key !== lower) {
        // Renaming onto a key that already exists would create a duplicate; such a key is reported, not fixed.
        const plain = this.text.startsWith(e.key, e.keyStart);
        const edits = plain && !present.has(lower) ? [{ start: e.keyStart, end: e.keyStart + e.key.length, text: lower }] : undefined;
        this.add('non_lowercase_key', `key '${e.key}' should be lower case ('${lower}')`, e.keyStart, [e.key], edits);
      }
      if (!KNOWN_KEY_SET.has(lower)) {
        const near = closestName(lower, KNOWN_KEYS);
        const hint = near === undefined ? '' : `; did you mean '${near}'?`;
        this.add('unknown_key', `'${e.key}' is not a Sigma key${hint}`, e.keyStart, [e.key]);
      }
    }
  }

  private checkMetadata(kind: 'detection' | 'correlation' | 'filter'): void {
    const doc = this.doc;
    const title = entry(doc, 'title');
    if (title === undefined) this.add('missing_title', 'the rule has no title', doc.start, ['title']);
    else if (isBlank(title.value)) this.add('empty_title', 'the title is empty', valueOffset(title), ['title']);
    else if (textOf(title.value).length > MAX_TITLE_CHARS)
      this.add(
        'title_too_long',
        `the title has ${textOf(title.value).length} characters (at most ${MAX_TITLE_CHARS})`,
        valueOffset(title),
        ['title'],
      );
    const name = entry(doc, 'name');
    if (name !== undefined && textOf(name.value).length > MAX_TITLE_CHARS)
      this.add('name_too_long', `the name has ${textOf(name.value).length} characters (at most ${MAX_TITLE_CHARS})`, valueOffset(name), [
        'name',
      ]);
    const description = entry(doc, 'description');
    if (description === undefined) this.add('missing_description', 'the rule has no description', doc.start, ['description']);
    else if (textOf(description.value).length > MAX_DESCRIPTION_CHARS)
      this.add('description_too_long', `the description is over ${MAX_DESCRIPTION_CHARS} characters`, valueOffset(description), [
        'description',
      ]);
    if (entry(doc, 'author') === undefined) this.add('missing_author', 'the rule has no author', doc.start, ['author']);

    const id = entry(doc, 'id');
    if (id !== undefined) {
      const value = textOf(id.value);
      if (!UUID_RE.test(value)) this.add('invalid_id', `id '${value}' is not a UUID`, valueOffset(id), ['id']);
      this.defines.push(value);
    }
    if (name !== undefined) this.defines.push(textOf(name.value));

    const status = entry(doc, 'status');
    if (kind === 'filter' && status !== undefined)
      this.add('filter_has_status', "a filter rule's status has no meaning", status.keyStart, ['status']);
    else if (status !== undefined && !STATUSES.includes(textOf(status.value)))
      this.add('invalid_status', `status '${textOf(status.value)}' is not one of ${STATUSES.join(', ')}`, valueOffset(status), ['status']);
    const level = entry(doc, 'level');
    if (kind === 'filter') {
      if (level !== undefined) this.add('filter_has_level', "a filter rule's level has no meaning", level.keyStart, ['level']);
    } else if (level === undefined) this.add('missing_level', 'the rule has no level', doc.start, ['level']);
    else if (!LEVELS.includes(textOf(level.value)))
      this.add('invalid_level', `level '${textOf(level.value)}' is not one of ${LEVELS.join(', ')}`, valueOffset(level), ['level']);

    const date = this.checkDate('date', 'invalid_date');
    const modified = this.checkDate('modified', 'invalid_modified');
    if (date !== undefined && modified !== undefined && modified.value < date.value)
      this.add('modified_before_date', `modified ${modified.value} is earlier than date ${date.value}`, modified.offset, ['modified']);

    this.checkTags();
    this.checkDuplicates('references', 'duplicate_references', 'reference');
    this.checkDuplicates('fields', 'duplicate_fields', 'field');
    this.checkRelated(status !== undefined && textOf(status.value) === 'deprecated' ? status : undefined);
  }

  private checkDate(key: 'date' | 'modified', rule: 'invalid_date' | 'invalid_modified'): { value: string; offset: number } | undefined {
    const e = entry(this.doc, key);
    if (e === undefined) return undefined;
    const value = textOf(e.value);
    if (!isCalendarDate(value)) {
      this.add(rule, `${key} '${value}' is not a YYYY-MM-DD calendar date`, valueOffset(e), [key]);
      return undefined;
    }
    return { value, offset: valueOffset(e) };
  }

  private checkTags(): void {
    const tags = entry(this.doc, 'tags');
    if (tags === undefined || tags.value.kind !== 'seq') return;
    const namespaces = new Set([...STANDARD_TAG_NAMESPACES, ...this.options.tagNamespaces]);
    tags.value.items.forEach((item, index) => {
      if (item.kind !== 'scalar') return;
      const tag = textOf(item);
      if (!TAG_RE.test(tag)) {
        this.add('invalid_tag', `tag '${tag}' is not namespace.value in lower case`, item.start, ['tags', index]);
        return;
      }
      const namespace = tag.slice(0, tag.indexOf('.'));
      if (!namespaces.has(namespace))
        this.add('unknown_tag_namespace', `tag namespace '${namespace}' is not one of ${[...namespaces].join(', ')}`, item.start, [
          'tags',
          index,
        ]);
    });
    this.checkDuplicates('tags', 'duplicate_tags', 'tag');
  }

  /** Repeated scalar entries of a top-level list; the fix deletes the repeated block-sequence lines. */
  private checkDuplicates(key: string, rule: LintRuleId, noun: string): void {
    const list = entry(this.doc, key);
    if (list === undefined || list.value.kind !== 'seq') return;
    const seen = new Set<string>();
    list.value.items.forEach((item, index) => {
      if (item.kind !== 'scalar' || item.value === null) return;
      const value = textOf(item);
      if (!seen.has(value)) {
        seen.add(value);
        return;
      }
      const edit = this.lineDeletion(item);
      this.add(rule, `${noun} '${value}' is listed twice`, item.start, [key, index], edit === undefined ? undefined : [edit]);
    });
  }

  /** Deletes the line of a block-sequence item (`  - value  # comment`) when it holds nothing else. */
  private lineDeletion(item: TreeScalar): TextEdit | undefined {
    const lineStart = this.text.lastIndexOf('\n', item.start - 1) + 1;
    if (!/^\s*-\s+$/.test(this.text.slice(lineStart, item.start))) return undefined;
    const newline = this.text.indexOf('\n', item.end);
    const lineEnd = newline < 0 ? this.text.length : newline + 1;
    if (!/^\s*(#.*)?\r?\n?$/.test(this.text.slice(item.end, lineEnd))) return undefined;
    return { start: lineStart, end: lineEnd, text: '' };
  }

  private checkRelated(deprecated: TreeEntry | undefined): void {
    const related = entry(this.doc, 'related');
    if (related === undefined) {
      if (deprecated !== undefined)
        this.add('deprecated_without_related', 'a deprecated rule should name its replacement in related', deprecated.keyStart, ['status']);
      return;
    }
    if (related.value.kind !== 'seq') return;
    related.value.items.forEach((item, index) => {
      if (item.kind !== 'map') return;
      const id = entry(item, 'id');
      const type = entry(item, 'type');
      if (id === undefined || type === undefined) {
        const missing = [id === undefined ? 'id' : '', type === undefined ? 'type' : ''].filter(Boolean).join(' and ');
        this.add('related_missing_required', `related entry ${index} has no ${missing}`, item.start, ['related', index]);
      }
      if (id !== undefined && !UUID_RE.test(textOf(id.value)))
        this.add('invalid_related_id', `related id '${textOf(id.value)}' is not a UUID`, valueOffset(id), ['related', index, 'id']);
      if (type !== undefined && !RELATED_TYPES.includes(textOf(type.value)))
        this.add(
          'invalid_related_type',
          `related type '${textOf(type.value)}' is not one of ${RELATED_TYPES.join(', ')}`,
          valueOffset(type),
          ['related', index, 'type'],
        );
    });
  }

  private checkDetectionRule(): void {
    const doc = this.doc;
    const logsource = entry(doc, 'logsource');
    if (logsource === undefined) this.add('missing_logsource', 'the rule has no logsource', doc.start, ['logsource']);
    else if (logsource.value.kind === 'map') this.checkLogsource(logsource.value);
    const detection = entry(doc, 'detection');
    if (detection === undefined) {
      this.add('missing_detection', 'the rule has no detection', doc.start, ['detection']);
      return;
    }
    if (detection.value.kind !== 'map') return;
    this.checkSearches(detection.value, 'detection', new Set(['condition', 'timeframe']), 'empty_detection');
    if (entry(detection.value, 'condition') === undefined)
      this.add('missing_condition', 'the detection has no condition', detection.keyStart, ['detection', 'condition']);
  }

  private checkLogsource(logsource: TreeMap): void {
    for (const key of ['category', 'product', 'service']) {
      const e = entry(logsource, key);
      if (e === undefined || e.value.kind !== 'scalar' || typeof e.value.value !== 'string') continue;
      const value = e.value.value;
      if (value === value.toLowerCase()) continue;
      const source = this.text.slice(e.value.start, e.value.end);
      // Lower-casing the source keeps its quotes; escapes (\U in double quotes) would change meaning, so those stay.
      const edits = source.includes('\\') ? undefined : [{ start: e.value.start, end: e.value.end, text: source.toLowerCase() }];
      this.add(
        'logsource_value_not_lowercase',
        `logsource ${key} '${value}' should be lower case`,
        e.value.start,
        ['logsource', key],
        edits,
      );
    }
  }

  /** The search identifiers of a detection (or filter) block: their values. */
  private checkSearches(
    block: TreeMap,
    container: string,
    skip: ReadonlySet<string>,
    emptyRule: 'empty_detection' | 'missing_filter_selection',
  ): void {
    let searches = 0;
    for (const e of block.entries) {
      if (skip.has(e.key)) continue;
      searches++;
      this.checkSearch(e.value, [container, e.key]);
    }
    if (searches === 0) {
      const message = emptyRule === 'empty_detection' ? 'the detection has no search identifier' : 'the filter has no selection';
      this.add(emptyRule, message, block.start, [container]);
    }
  }

  private checkSearch(node: TreeNode, path: (string | number)[]): void {
    if (node.kind === 'map') {
      for (const e of node.entries) this.checkItem(node, e, [...path, e.key]);
    } else if (node.kind === 'seq') {
      node.items.forEach((item, index) => {
        if (item.kind === 'map') this.checkSearch(item, [...path, index]);
      });
    }
  }

  private checkItem(map: TreeMap, item: TreeEntry, path: (string | number)[]): void {
    const [field = '', ...modifiers] = item.key.split('|');
    const value = item.value;
    const all = modifiers.includes('all');
    if (all && modifiers.includes('re'))
      this.add(
        'all_with_re',
        `'all' with 're' on '${item.key}': match several patterns with one regular expression or separate items`,
        item.keyStart,
        path,
      );
    if (value.kind === 'scalar') {
      if (all) this.add('single_value_all_modifier', `'all' on '${item.key}' has a single value`, item.keyStart, path);
      if (value.value === '*' && !modifiers.some((m) => NON_WILDCARD_MODIFIERS.has(m))) {
        const key = `${field}|exists`;
        const fixable = this.text.startsWith(item.key, item.keyStart) && map.entries.every((e) => e.key !== key);
        const edits = fixable
          ? [
              { start: item.keyStart, end: item.keyStart + item.key.length, text: key },
              { start: value.start, end: value.end, text: 'true' },
            ]
          : undefined;
        this.add('wildcard_only_value', `'${item.key}: *' matches any value; use '${key}: true'`, value.start, path, edits);
      }
      return;
    }
    if (value.kind !== 'seq') return;
    if (value.items.length === 0) {
      this.add('empty_value_list', `'${item.key}' has an empty value list and never matches`, value.start, path);
      return;
    }
    if (value.items.length === 1 && all)
      this.add('single_value_all_modifier', `'all' on '${item.key}' has a single value`, item.keyStart, path);
    if (value.items.length > 1)
      value.items.forEach((v, index) => {
        if (v.kind === 'scalar' && v.value === null)
          this.add('null_in_value_list', `'${item.key}' mixes null with other values`, v.start, [...path, index]);
      });
  }

  private checkCorrelationRule(): void {
    const correlation = entry(this.doc, 'correlation');
    if (correlation === undefined || correlation.value.kind !== 'map') return;
    const block = correlation.value;
    const at = correlation.keyStart;
    const typeEntry = entry(block, 'type');
    const type = typeEntry === undefined ? undefined : textOf(typeEntry.value);
    if (typeEntry === undefined) this.add('missing_correlation_type', 'the correlation has no type', at, ['correlation', 'type']);
    else if (!CORRELATION_TYPES.includes(type ?? ''))
      this.add(
        'invalid_correlation_type',
        `correlation type '${type}' is not one of ${CORRELATION_TYPES.join(', ')}`,
        valueOffset(typeEntry),
        ['correlation', 'type'],
      );
    const known = type !== undefined && CORRELATION_TYPES.includes(type);

    const rules = entry(block, 'rules');
    if (rules === undefined) this.add('missing_correlation_rules', 'the correlation has no rules', at, ['correlation', 'rules']);
    else this.collectReferences(rules.value, ['correlation', 'rules']);

    const timespan = entry(block, 'timespan') ?? entry(block, 'timeframe');
    if (timespan === undefined)
      this.add('missing_correlation_timespan', 'the correlation has no timespan', at, ['correlation', 'timespan']);
    else if (!isTimespan(timespan.value))
      this.add(
        'invalid_timespan_format',
        `timespan '${textOf(timespan.value)}' is not a duration such as 5m, 1h or 30s`,
        valueOffset(timespan),
        ['correlation', timespan.key],
      );

    const condition = entry(block, 'condition');
    if (condition === undefined) {
      if (known && !TEMPORAL_TYPES.has(type))
        this.add('missing_correlation_condition', `${type} correlations need a condition`, at, ['correlation', 'condition']);
    } else if (condition.value.kind === 'map') {
      for (const e of condition.value.entries) {
        if (!CONDITION_OPERATORS.has(e.key))
          this.add(
            'invalid_condition_operator',
            `condition key '${e.key}' is not one of ${[...CONDITION_OPERATORS].join(', ')}`,
            e.keyStart,
            ['correlation', 'condition', e.key],
          );
        else if (e.key !== 'field' && !(e.value.kind === 'scalar' && typeof e.value.value === 'number'))
          this.add('condition_value_not_numeric', `condition ${e.key} must be a number, not '${textOf(e.value)}'`, e.value.start, [
            'correlation',
            'condition',
            e.key,
          ]);
      }
      if (known && FIELD_TYPES.has(type) && entry(condition.value, 'field') === undefined)
        this.add('missing_condition_field', `${type} correlations need condition.field`, condition.keyStart, [
          'correlation',
          'condition',
          'field',
        ]);
    }
    if (known && !TEMPORAL_TYPES.has(type) && entry(block, 'group-by') === undefined)
      this.add('missing_group_by', `${type} correlations without group-by count all events as one group`, at, ['correlation', 'group-by']);

    for (const [where, e] of [
      ['correlation', entry(block, 'generate')],
      ['', entry(this.doc, 'generate')],
    ] as const) {
      if (e !== undefined && !(e.value.kind === 'scalar' && typeof e.value.value === 'boolean'))
        this.add(
          'generate_not_boolean',
          `generate must be true or false, not '${textOf(e.value)}'`,
          e.value.start,
          where === '' ? ['generate'] : [where, 'generate'],
        );
    }
    this.checkWindow(block);
  }

  private checkWindow(block: TreeMap): void {
    const window = entry(block, 'window');
    const gap = entry(block, 'gap');
    if (window !== undefined && !WINDOW_MODES.includes(textOf(window.value)))
      this.add('invalid_window_mode', `window '${textOf(window.value)}' is not one of ${WINDOW_MODES.join(', ')}`, valueOffset(window), [
        'correlation',
        'window',
      ]);
    if (gap !== undefined && !isTimespan(gap.value))
      this.add('invalid_gap_format', `gap '${textOf(gap.value)}' is not a duration such as 5m`, valueOffset(gap), ['correlation', 'gap']);
    const session = window !== undefined && textOf(window.value) === 'session';
    if (session && gap === undefined)
      this.add('missing_session_gap', 'a session window needs a gap', valueOffset(window), ['correlation', 'gap']);
    if (!session && gap !== undefined)
      this.add('gap_without_session', 'gap only applies to window: session', gap.keyStart, ['correlation', 'gap']);
  }

  private checkFilterRule(): void {
    const filter = entry(this.doc, 'filter');
    if (filter === undefined || filter.value.kind !== 'map') return;
    const block = filter.value;
    const rules = entry(block, 'rules');
    if (rules === undefined)
      this.add('missing_filter_rules', "the filter has no rules (use 'any' for every rule)", filter.keyStart, ['filter', 'rules']);
    else if (rules.value.kind === 'seq' && rules.value.items.length === 0)
      this.add('empty_filter_rules', "filter rules is an empty list; write 'any' to filter every rule", rules.value.start, [
        'filter',
        'rules',
      ]);
    else if (rules.value.kind === 'map' || (rules.value.kind === 'scalar' && typeof rules.value.value !== 'string'))
      this.add('missing_filter_rules', "filter rules must be a rule id or name, a list of them, or 'any'", rules.value.start, [
        'filter',
        'rules',
      ]);
    else if (!(rules.value.kind === 'scalar' && textOf(rules.value).toLowerCase() === 'any'))
      this.collectReferences(rules.value, ['filter', 'rules']);
    this.checkSearches(block, 'filter', new Set(['rules', 'condition']), 'missing_filter_selection');
    if (entry(block, 'condition') === undefined)
      this.add('missing_filter_condition', 'the filter has no condition', filter.keyStart, ['filter', 'condition']);
  }

  private collectReferences(node: TreeNode, path: string[]): void {
    const items = node.kind === 'seq' ? node.items : [node];
    items.forEach((item, index) => {
      if (item.kind === 'scalar' && typeof item.value === 'string')
        this.references.push({ name: item.value, offset: item.start, pointer: pointerOf(node.kind === 'seq' ? [...path, index] : path) });
    });
  }
}

function entry(map: TreeMap, key: string): TreeEntry | undefined {
  return map.entries.find((e) => e.key === key);
}

function valueOffset(e: TreeEntry): number {
  return e.value.start;
}

/** A scalar's text (numbers and booleans as written); `''` for null and collections. */
function textOf(node: TreeNode): string {
  if (node.kind !== 'scalar' || node.value === null) return '';
  return typeof node.value === 'string' ? node.value : node.source || String(node.value);
}

function isBlank(node: TreeNode): boolean {
  return node.kind === 'scalar' && textOf(node).trim() === '';
}

function isCalendarDate(text: string): boolean {
  const m = DATE_RE.exec(text);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function isTimespan(node: TreeNode): boolean {
  if (node.kind !== 'scalar' || typeof node.value !== 'string') return false;
  try {
    parseTimespan(node.value);
    return true;
  } catch {
    // Any parse failure means "not a timespan"; the message is the linter's own.
    return false;
  }
}

/** Most edits a name may be away from a known one to be suggested: beyond that, suggestions are noise. */
const MAX_SUGGESTION_DISTANCE = 3;

/** The known name closest to `name` by edit distance, when close enough to be a likely typo (half its length at most). */
export function closestName(name: string, known: readonly string[]): string | undefined {
  return closestNameWithin(name, known, Math.min(MAX_SUGGESTION_DISTANCE, Math.floor(name.length / 2)));
}
