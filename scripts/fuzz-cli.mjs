#!/usr/bin/env node
// Fuzzes the built `tsigma` CLI (issue 12): mutated rules, events and EVTX files go through validate, fields,
// parse, explain, eval, evtx dump, lint (with and without --fix) and pipeline diff, and every run must end with an exit code of 0–4, no stack trace on stderr
// and within its timeout. Seeded and reproducible: run i of seed s always builds the same inputs and arguments.
//
//   node scripts/fuzz-cli.mjs [--seed N] [--runs N] [--seconds S] [--timeout MS] [--jobs N]
//                             [--run I] [--keep DIR] [--cli PATH] [--corpus DIR] [--no-known] [--json] [--verbose]
//
// It stops after --runs runs or once --seconds have passed, whichever comes first (the time budget only stops new
// runs from starting; a run is never cut short by it). Exit status: 0 when no run failed, 1 when some did, 2 on bad
// options. Failures listed in KNOWN_FAILURES are reported but do not fail the fuzz unless --no-known is given.

import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { clearTimeout, setTimeout } from 'node:timers';
import { parseArgs } from 'node:util';

const ROOT = resolve(import.meta.dirname, '..');

/** Exit codes a run may end with (spec 11 §2): 0 ok, 1 findings, 2 rule error, 3 usage, 4 output error. */
const ALLOWED_EXIT_CODES = new Set([0, 1, 2, 3, 4]);
/** A V8 stack frame ("    at fn (file:1:2)") or the CLI's last-resort message: either means an uncaught error. */
const STACK_TRACE = /^ {4}at |^tsigma: internal error|FATAL ERROR|UnhandledPromiseRejection/m;
/** Linux refuses an argument longer than 128 KiB (MAX_ARG_STRLEN); inline events and conditions are cut below it. */
const MAX_ARG_CHARS = 100_000;
/** Mutated inputs are cut to this size: mutations compound, and a few MiB already reach every size limit. */
const MAX_INPUT_CHARS = 8 << 20;
/** Largest stderr kept per run (the check reads all of it; reports show the start). */
const MAX_STDERR_CHARS = 1 << 20;

/**
 * Failures another change is fixing: reported as "known", not failed, so the in-suite fuzz passes today. Each entry
 * names the area and owner of the fix; delete the entry when it lands (the fuzz then fails if the bug is still there).
 * `match` sees { scenario, mutations, code, signal, timedOut, stderr }.
 */
const KNOWN_FAILURES = [];

// ---------------------------------------------------------------------------------------------------------------
// Seeded randomness: mulberry32, with one independent stream per run so a run can be replayed alone.

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The random source of run `run` of `seed`. */
function runRandom(seed, run) {
  const next = mulberry32((Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(run + 1, 0x85ebca6b)) >>> 0);
  const int = (n) => Math.floor(next() * n);
  return {
    next,
    int,
    /** An integer in [lo, hi]. */
    range: (lo, hi) => lo + int(hi - lo + 1),
    pick: (list) => list[int(list.length)],
    chance: (p) => next() < p,
    /** Sizes spread over orders of magnitude: small ones are common, huge ones rare. */
    size: (max) => Math.min(max, Math.floor(Math.exp(next() * Math.log(max + 1)))),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Seed inputs: demo rules and events, a few SigmaHQ rules and regression cases, small EVTX samples.

function listFiles(dir, pattern) {
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (pattern.test(name)) out.push(p);
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/** Top-level JSON documents of a text of concatenated pretty-printed objects (the regression JSON files). */
function jsonDocuments(text) {
  const docs = [];
  for (const part of text.split(/^\}\s*$/m)) {
    const body = part.trim();
    if (body === '') continue;
    try {
      docs.push(JSON.parse(body + '}'));
    } catch {
      // Not one object: skipped, the other documents still seed the fuzz.
    }
  }
  return docs;
}

/** Picks `n` items of `list` spread evenly, so the selection is stable for a given corpus. */
function spread(list, n) {
  if (list.length <= n) return list;
  return Array.from({ length: n }, (_, i) => list[Math.floor((i * list.length) / n)]);
}

function loadSeeds(corpus) {
  const notes = [];
  const rules = listFiles(join(ROOT, 'demo/rules'), /\.ya?ml$/).map((p) => ({ name: basename(p), text: readFileSync(p, 'utf8') }));
  const events = readFileSync(join(ROOT, 'demo/events/events.ndjson'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  const evtx = [];
  const regression = [];
  if (corpus !== undefined && existsSync(join(corpus, 'sigmahq'))) {
    const sigma = listFiles(join(corpus, 'sigmahq'), /\.yml$/);
    for (const p of spread(sigma, 24)) rules.push({ name: basename(p), text: readFileSync(p, 'utf8') });
    const manifest = JSON.parse(readFileSync(join(corpus, 'regression/manifest.json'), 'utf8'));
    for (const t of spread(manifest, 8)) {
      const json = jsonDocuments(readFileSync(join(corpus, t.json), 'utf8'));
      regression.push({
        rule: { name: basename(t.rule_path), text: readFileSync(join(corpus, t.rule_path), 'utf8') },
        evtx: join(corpus, t.evtx),
      });
      for (const doc of json.slice(0, 3)) events.push(JSON.stringify(doc));
    }
    // The small samples only (64 KiB): the 1–2 MiB ones make a run slow without adding new structure.
    for (const p of listFiles(join(corpus, 'evtx'), /\.evtx$/)) if (statSync(p).size <= 128 * 1024) evtx.push(p);
    for (const r of regression) evtx.push(r.evtx);
  } else {
    notes.push(`corpus not found${corpus === undefined ? '' : ` at ${corpus}`}: SigmaHQ rules skipped, EVTX fuzzing skipped`);
  }
  if (evtx.length === 0 && notes.length === 0) notes.push('no EVTX samples in the corpus: EVTX fuzzing skipped');
  return { rules, events, evtx: evtx.map((p) => ({ name: basename(p), bytes: readFileSync(p) })), regression, notes };
}

// ---------------------------------------------------------------------------------------------------------------
// Mutations. Each returns the mutated value and pushes a short name to `log`, so a failure says what was done.

const ODD_TEXT = [
  '\u0000',
  '\uFEFF',
  '\uFFFE',
  '\uFFFF',
  '\uD800',
  '\uDFFF',
  '\u202E',
  '\u200B',
  '\u0301\u0301\u0301',
  '\u{1F4A9}',
  '\r',
  '\r\n',
  '\t',
  '\u2028',
  '\\',
  '"',
  "'",
  '%',
  '*',
  '?',
  '|',
  '${x}',
  '%foo%',
  'ſ',
  'İ',
  'ﬀ',
];
const HUGE_NUMBERS = [
  '1e999999',
  '-1e-999999',
  '99999999999999999999999999999999999',
  '-0',
  '0x7fffffffffffffffffff',
  '0o777777777777777777777',
  '.inf',
  '-.inf',
  '.nan',
  '1_000_000',
  '9007199254740993',
  '1.7976931348623157e309',
  '4294967296',
  '-2147483649',
];
const YAML_TAGS = [
  '!!binary',
  '!!set',
  '!!omap',
  '!!pairs',
  '!!timestamp',
  '!!int',
  '!!float',
  '!!str',
  '!!map',
  '!!seq',
  '!foo',
  '!<tag:x>',
  '!!python/object:os.system',
  '!!js/function',
];
const MODIFIERS = [
  'contains',
  'startswith',
  'endswith',
  'all',
  're',
  'i',
  'm',
  's',
  'base64',
  'base64offset',
  'wide',
  'utf16le',
  'utf16be',
  'utf16',
  'windash',
  'cidr',
  'expand',
  'fieldref',
  'gt',
  'gte',
  'lt',
  'lte',
  'exists',
  'cased',
  'neq',
  'minute',
  'hour',
  'day',
  'week',
  'month',
  'year',
  'contians',
  '',
];
const ODD_VALUES = [
  '(',
  '[',
  '(?<=a)b',
  '(a+)+$',
  '\\p{L}+',
  'a{99999}',
  '(?P<n>x)\\k<n>',
  '999.1.1.1/99',
  '::/200',
  '10.0.0.0/8',
  '*',
  '?',
  '\\*\\?\\\\',
  '',
  'null',
  '~',
  '[]',
  '{}',
  'true',
  '%placeholder%',
];
const CONDITIONS = [
  '1 of sel*',
  'all of them',
  '1 of them and not 1 of filter*',
  'selection | count() > 5',
  'sel and',
  '(sel',
  'sel)',
  'not',
  'sel or or sel',
  '',
  'them',
  'x of them',
  '0 of them',
  '99999999999999999999 of them',
  'all of *',
  'near sel',
];
const CORRELATION_TYPES = [
  'event_count',
  'value_count',
  'temporal',
  'temporal_ordered',
  'value_sum',
  'value_avg',
  'value_percentile',
  'value_median',
  'bogus',
];
const TIMESPANS = ['5m', '0s', '1s', '999999999999y', '-5m', '1.5h', 'abc', '10', '1M', '1w'];

function flipBytes(r, bytes, log) {
  const out = Buffer.from(bytes);
  const n = r.range(1, Math.max(1, Math.min(64, out.length >> 4)));
  for (let i = 0; i < n && out.length > 0; i++) {
    const at = r.int(out.length);
    out[at] = r.chance(0.5) ? out[at] ^ (1 << r.int(8)) : r.int(256);
  }
  log.push(`flip ${n} bytes`);
  return out;
}

function truncate(r, bytes, log) {
  const at = r.int(bytes.length + 1);
  log.push(`truncate at ${at}`);
  return bytes.subarray(0, at);
}

function duplicateSlice(r, bytes, log) {
  if (bytes.length === 0) return bytes;
  const from = r.int(bytes.length);
  const len = r.range(1, Math.min(bytes.length - from, 4096));
  const times = r.size(200) + 1;
  const at = r.int(bytes.length + 1);
  log.push(`duplicate ${len} bytes x${times}`);
  const slice = bytes.subarray(from, from + len);
  return Buffer.concat([bytes.subarray(0, at), ...Array.from({ length: times }, () => slice), bytes.subarray(at)]);
}

const lines = (text) => text.split('\n');

function mutateLines(r, text, log) {
  const ls = lines(text);
  const i = r.int(ls.length);
  const j = r.int(ls.length);
  switch (r.int(5)) {
    case 0:
      log.push(`delete line ${i + 1}`);
      ls.splice(i, 1);
      break;
    case 1:
      log.push(`repeat line ${i + 1}`);
      ls.splice(i, 0, ...Array.from({ length: r.size(50) + 1 }, () => ls[i]));
      break;
    case 2:
      log.push(`swap lines ${i + 1}, ${j + 1}`);
      [ls[i], ls[j]] = [ls[j], ls[i]];
      break;
    case 3: {
      const d = r.range(-3, 3);
      log.push(`indent line ${i + 1} by ${d}`);
      ls[i] = d >= 0 ? ' '.repeat(d) + ls[i] : ls[i].replace(new RegExp(`^ {0,${-d}}`), '');
      break;
    }
    default:
      log.push(`tab-indent line ${i + 1}`);
      ls[i] = ls[i].replace(/^ +/, '\t');
  }
  return ls.join('\n');
}

/** Replaces the value of a random `key: value` line. */
function replaceValue(r, text, value, log, what) {
  const ls = lines(text);
  const candidates = ls.map((l, i) => [l, i]).filter(([l]) => /^\s*[-\w|.]+:\s*\S/.test(l));
  if (candidates.length === 0) return text + `\nx: ${value}\n`;
  const [line, i] = r.pick(candidates);
  ls[i] = line.replace(/:\s*\S.*$/, `: ${value}`);
  log.push(`${what} at line ${i + 1}`);
  return ls.join('\n');
}

function deepYaml(r, log) {
  const depth = r.size(20000) + 1;
  switch (r.int(4)) {
    case 0:
      log.push(`flow list nested ${depth}`);
      return '['.repeat(depth) + 'x' + ']'.repeat(depth);
    case 1:
      log.push(`flow map nested ${depth}`);
      return '{a: '.repeat(depth) + 'x' + '}'.repeat(depth);
    case 2: {
      const d = Math.min(depth, 2000);
      log.push(`block map nested ${d}`);
      return '\n' + Array.from({ length: d }, (_, k) => `${'  '.repeat(k + 2)}k${k}:`).join('\n') + ' x';
    }
    default: {
      const d = Math.min(depth, 2000);
      log.push(`block list nested ${d}`);
      return '\n' + Array.from({ length: d }, (_, k) => `${'  '.repeat(k + 2)}-`).join('\n') + ' x';
    }
  }
}

function anchorBomb(r, log) {
  const levels = r.range(3, 12);
  const width = r.range(2, 10);
  log.push(`alias bomb ${width}^${levels}`);
  const out = [`bomb0: &a0 ["lol"]`];
  for (let k = 1; k <= levels; k++) out.push(`bomb${k}: &a${k} [${Array.from({ length: width }, () => `*a${k - 1}`).join(', ')}]`);
  return out.join('\n');
}

function mutateRuleText(r, text, log) {
  let t = text;
  const rounds = r.range(1, 3);
  for (let k = 0; k < rounds; k++) {
    switch (r.int(16)) {
      case 0:
        t = flipBytes(r, Buffer.from(t), log).toString('utf8');
        break;
      case 1:
        t = truncate(r, Buffer.from(t), log).toString('utf8');
        break;
      case 2:
        t = duplicateSlice(r, Buffer.from(t), log).toString('utf8');
        break;
      case 3:
        t = mutateLines(r, t, log);
        break;
      case 4:
        t = replaceValue(r, t, deepYaml(r, log), log, 'deep value');
        break;
      case 5:
        t = replaceValue(r, t, r.pick(HUGE_NUMBERS), log, 'huge number');
        break;
      case 6: {
        const s = r.pick(ODD_TEXT).repeat(r.size(1000) + 1);
        const at = r.int(t.length + 1);
        log.push(`insert ${JSON.stringify(s.slice(0, 8))}x${s.length} at ${at}`);
        t = t.slice(0, at) + s + t.slice(at);
        break;
      }
      case 7:
        t = anchorBomb(r, log) + '\n' + t;
        break;
      case 8:
        t = replaceValue(r, t, `${r.pick(YAML_TAGS)} ${r.pick(['x', '1', '[a]', '{a: 1}', 'AAAA', '2001-12-14'])}`, log, 'tag');
        break;
      case 9: {
        const n = r.size(2_000_000) + 1;
        t = replaceValue(r, t, `'${'A'.repeat(n)}'`, log, `scalar of ${n} chars`);
        break;
      }
      case 10: {
        const mods = Array.from({ length: r.range(1, 4) }, () => r.pick(MODIFIERS)).join('|');
        const ls = lines(t);
        const i = ls.findIndex((l) => /^\s{4,}[\w.]+(\|[\w|]*)?:/.test(l));
        if (i >= 0) {
          ls[i] = ls[i].replace(/^(\s+[\w.]+)(\|[\w|]*)?:.*$/, `$1|${mods}: '${r.pick(ODD_VALUES)}'`);
          log.push(`modifiers |${mods} at line ${i + 1}`);
          t = ls.join('\n');
        }
        break;
      }
      case 11: {
        let c = r.pick(CONDITIONS);
        if (r.chance(0.4)) {
          const d = r.size(5000);
          c = '('.repeat(d) + 'selection' + ')'.repeat(d);
        } else if (r.chance(0.3)) {
          c = Array.from({ length: r.size(20000) + 1 }, () => r.pick(['selection', 'not selection', '1 of sel*'])).join(
            r.pick([' and ', ' or ']),
          );
        }
        log.push(`condition ${JSON.stringify(c.slice(0, 30))} (${c.length} chars)`);
        t = t.replace(/condition:.*$/m, `condition: ${c}`);
        break;
      }
      case 12: {
        const odd = r.pick([
          '%YAML 1.1\n---\n',
          '%TAG ! tag:x,2000:\n---\n',
          '--- !!map\n',
          '...\n',
          '---\n---\n',
          '? [a, b]\n: c\n',
          '<<: *nothing\n',
          'title: dup\ntitle: dup\n',
          '&x title: t\n',
          '"\\u0000": x\n',
          '\uFEFF',
        ]);
        log.push(`prepend ${JSON.stringify(odd.slice(0, 16))}`);
        t = odd + t;
        break;
      }
      case 13:
        log.push('CRLF line ends');
        t = t.replace(/\n/g, '\r\n');
        break;
      case 14: {
        const n = Math.max(1, Math.min(r.size(100) + 1, Math.floor(MAX_INPUT_CHARS / (t.length + 5))));
        log.push(`repeat document x${n}`);
        t = Array.from({ length: n }, () => t).join('\n---\n');
        break;
      }
      default: {
        const block = r.pick(['|', '|+', '|-', '>', '>-', '|2', '>9']);
        t = replaceValue(r, t, `${block}\n  ${r.pick(ODD_VALUES)}\n\n  x`, log, `block scalar ${block}`);
      }
    }
    if (t.length > MAX_INPUT_CHARS) {
      t = t.slice(0, MAX_INPUT_CHARS);
      log.push(`cut to ${MAX_INPUT_CHARS} chars`);
    }
  }
  return t;
}

/** A correlation rule over the given rule ids/names, with random (often invalid) settings. */
function correlationRule(r, refs, log) {
  const type = r.pick(CORRELATION_TYPES);
  const ts = r.pick(TIMESPANS);
  log.push(`correlation ${type} over ${refs.length} rules, timespan ${ts}`);
  const cond = r.pick([
    `  condition:\n    gte: ${r.pick(['1', '2', '0', '-1', '1e308', 'x'])}\n`,
    `  condition:\n    field: ${r.pick(['User', 'CommandLine', 'Missing'])}\n    gt: ${r.pick(['1', '100', '-5'])}\n`,
    `  condition:\n    ${r.pick(['eq', 'neq', 'lt', 'bad'])}: 3\n`,
    '',
  ]);
  const rules = refs.length > 0 ? refs.map((x) => `    - ${x}`).join('\n') : '    - missing';
  return `title: Fuzz correlation\nname: fuzz_corr\ncorrelation:\n  type: ${type}\n  rules:\n${rules}\n  group-by:\n    - ${r.pick(['User', 'Image', 'Computer', 'x.y'])}\n  timespan: ${ts}\n${cond}level: high\n`;
}

function mutateCondition(r, log) {
  const base = r.pick(['selection', 'selection and not filter', '1 of sel* or all of them', ...CONDITIONS]);
  switch (r.int(5)) {
    case 0: {
      const d = r.size(20000);
      log.push(`condition in ${d} parentheses`);
      return '('.repeat(d) + base + ')'.repeat(d);
    }
    case 1: {
      const n = r.size(30000) + 1;
      log.push(`condition chain of ${n}`);
      return Array.from({ length: n }, () => r.pick(['a', 'not b', '1 of c*', '(d or e)'])).join(r.pick([' and ', ' or ']));
    }
    case 2: {
      const n = r.size(5000);
      log.push(`condition with ${n} nots`);
      return 'not '.repeat(n) + base;
    }
    case 3:
      return flipBytes(r, Buffer.from(base), log).toString('latin1');
    default: {
      const s = r.pick(ODD_TEXT);
      log.push(`condition with ${JSON.stringify(s)}`);
      return base + s + base;
    }
  }
}

function mutateEventLine(r, line, log) {
  switch (r.int(12)) {
    case 0:
      return flipBytes(r, Buffer.from(line), log).toString('latin1');
    case 1:
      return truncate(r, Buffer.from(line), log).toString('utf8');
    case 2: {
      const d = r.size(200_000) + 1;
      log.push(`event nested ${d}`);
      return `{"deep":${'{"a":'.repeat(d)}1${'}'.repeat(d)}}`;
    }
    case 3: {
      const d = r.size(200_000) + 1;
      log.push(`event array nested ${d}`);
      return `{"deep":${'['.repeat(d)}1${']'.repeat(d)}}`;
    }
    case 4:
      log.push('huge numbers');
      return line.replace(/:(\s*)("[^"]*"|\d+)/, `:$1${r.pick(['1e400', '-1e-400', '123456789012345678901234567890', '-0', '1E+99999'])}`);
    case 5: {
      const n = r.size(2_000_000) + 1;
      log.push(`string of ${n} chars`);
      return `{"CommandLine":"${'A'.repeat(n)}","Image":"x"}`;
    }
    case 6: {
      const s = r.pick(['\\ud800', '\\udfff\\ud800', '\\u0000', '\\x41', '\\', '\u2028', '\uFEFF', '\u{1F4A9}', '\\uZZZZ']);
      log.push(`escape ${s}`);
      return line.replace(/"([^"]*)"/, `"$1${s}"`);
    }
    case 7:
      log.push('odd keys');
      return r.pick([
        '{"__proto__":{"CommandLine":"whoami"},"constructor":{"prototype":1}}',
        '{"":"","a.b":{"c":1},"a":{"b.c":2}}',
        '{"CommandLine":"a","CommandLine":"b"}',
        '{"toString":"x","hasOwnProperty":1,"valueOf":null}',
      ]);
    case 8:
      log.push('not an object');
      return r.pick(['[1,2,3]', '"x"', 'null', '42', 'true', '[]', '{}', '{"a":[]}', 'NaN', '{"a":Infinity}', '{,}', '}{', '\u0000']);
    case 9: {
      const n = r.size(50_000) + 1;
      log.push(`${n} fields`);
      return JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, i])));
    }
    case 10:
      log.push('unicode values');
      return JSON.stringify({
        CommandLine: Array.from({ length: r.size(2000) + 1 }, () => r.pick(ODD_TEXT)).join(''),
        Image: r.pick(ODD_TEXT),
      });
    default:
      log.push('key=value text');
      return r.pick(['CommandLine=whoami Image=x', '<13>Oct 11 22:14:15 host app: whoami', 'CEF:0|a|b|1|2|n|5|src=1.1.1.1', 'plain text']);
  }
}

function mutateEvents(r, base, log) {
  let ls = Array.from({ length: r.range(1, 6) }, () => r.pick(base));
  const n = r.range(1, 3);
  for (let k = 0; k < n; k++) {
    const i = r.int(ls.length);
    ls[i] = mutateEventLine(r, ls[i], log);
  }
  let text = ls.join('\n') + '\n';
  const layout = r.int(10);
  if (layout === 0) {
    log.push('one JSON array');
    ls = ls.filter((l) => l.startsWith('{'));
    text = `[${ls.join(',\n')}]`;
  } else if (layout === 1) {
    log.push('concatenated, no newlines');
    text = ls.join('');
  } else if (layout === 2) {
    log.push('CRLF');
    text = ls.join('\r\n');
  }
  return text;
}

function mutateEvtx(r, bytes, others, log) {
  let b = Buffer.from(bytes);
  const rounds = r.range(1, 3);
  for (let k = 0; k < rounds; k++) {
    switch (r.int(8)) {
      case 0:
        b = flipBytes(r, b, log);
        break;
      case 1: {
        // The file header and the first chunk header hold the sizes, offsets and counts the reader trusts.
        const region = r.pick([
          [0, 128],
          [4096, 4096 + 512],
          [4096 + 512, Math.min(b.length, 4096 + 65536)],
        ]);
        const n = r.range(1, 8);
        for (let i = 0; i < n && region[1] > region[0] && region[1] <= b.length; i++) {
          const at = region[0] + r.int(region[1] - region[0]);
          b[at] = r.int(256);
        }
        log.push(`flip ${n} bytes in [${region[0]}, ${region[1]})`);
        break;
      }
      case 2:
        b = Buffer.from(truncate(r, b, log));
        break;
      case 3: {
        if (b.length >= 4096 + 65536) {
          const chunk = b.subarray(4096, 4096 + 65536);
          const times = r.range(1, 3);
          log.push(`duplicate first chunk x${times}`);
          b = Buffer.concat([b, ...Array.from({ length: times }, () => chunk)]);
        }
        break;
      }
      case 4: {
        const at = r.int(b.length);
        const len = r.range(1, Math.min(b.length - at, 8192));
        log.push(`zero ${len} bytes at ${at}`);
        b.fill(0, at, at + len);
        break;
      }
      case 5: {
        const fields = [40, 42, 44, 46, 4096 + 8, 4096 + 16, 4096 + 24, 4096 + 32, 4096 + 40, 4096 + 44, 4096 + 48];
        const at = r.pick(fields);
        if (at + 4 <= b.length) {
          const v = r.pick([0, 0xffffffff, 0x7fffffff, 1, 0x10000, r.int(0x100000)]);
          b.writeUInt32LE(v >>> 0, at);
          log.push(`u32 ${v} at ${at}`);
        }
        break;
      }
      case 6: {
        const other = r.pick(others);
        const cut = r.pick([4096, 4096 + 512, r.int(Math.min(b.length, other.bytes.length))]);
        log.push(`splice with ${other.name} at ${cut}`);
        b = Buffer.concat([b.subarray(0, cut), other.bytes.subarray(cut)]);
        break;
      }
      default:
        b = Buffer.from(duplicateSlice(r, b, log));
    }
  }
  return b;
}

// ---------------------------------------------------------------------------------------------------------------
// One run: build inputs in a fresh directory, pick a command, run it, judge the outcome.

const SCENARIOS = [
  'validate',
  'fields',
  'parse',
  'parse-stdin',
  'condition',
  'eval',
  'eval-stdin',
  'eval-inline',
  'explain',
  'eval-evtx',
  'evtx-dump',
  'lint',
  'lint-fix',
  'pipeline-diff',
];

/** Options of `eval` that change how events travel (threads, batches, event copies in results, correlation state). */
function evalOptions(r) {
  const out = [];
  if (r.chance(0.4)) out.push('--include-event');
  if (r.chance(0.2)) out.push('--threads', r.pick(['1', '2', '0', '-1', 'x']));
  if (r.chance(0.15)) out.push('--batch-size', r.pick(['1', '2', '1000', '0', '99999999999']));
  if (r.chance(0.1)) out.push('--correlation-event-mode', r.pick(['full', 'refs', 'none', 'bogus']));
  if (r.chance(0.1)) out.push('--dump-correlation-state');
  if (r.chance(0.1)) out.push('--fail-on-detection');
  if (r.chance(0.05)) out.push('--strict');
  return out;
}

function planRun(r, seeds, dir) {
  const mutations = [];
  const usable = seeds.evtx.length > 0 ? SCENARIOS : SCENARIOS.filter((s) => !s.includes('evtx'));
  const scenario = r.pick(usable);
  const rulesDir = join(dir, 'rules');
  let ruleFiles = [];
  let mutateIndex = -1;
  const regression = scenario === 'eval-evtx' && seeds.regression.length > 0 && r.chance(0.6) ? r.pick(seeds.regression) : undefined;
  if (!['condition', 'evtx-dump'].includes(scenario)) {
    mkdirSync(rulesDir);
    const chosen = regression !== undefined ? [regression.rule] : Array.from({ length: r.range(1, 4) }, () => r.pick(seeds.rules));
    // Rule scenarios always mutate a rule; event scenarios only sometimes, so mutated events also meet valid rules.
    const ruleScenario = ['validate', 'fields', 'parse', 'parse-stdin', 'lint', 'lint-fix', 'pipeline-diff'].includes(scenario);
    mutateIndex = ruleScenario || r.chance(0.3) ? r.int(chosen.length) : -1;
    ruleFiles = chosen.map((rule, i) => {
      const path = join(rulesDir, `r${i}-${rule.name}`);
      writeFileSync(path, i === mutateIndex ? mutateRuleText(r, rule.text, mutations) : rule.text);
      return path;
    });
    if (r.chance(0.2)) {
      const refs = chosen.map((rule) => /^id:\s*(\S+)/m.exec(rule.text)?.[1]).filter((x) => x !== undefined);
      writeFileSync(join(rulesDir, 'zz-correlation.yml'), correlationRule(r, refs, mutations));
    }
  }
  const globals = [];
  if (r.chance(0.5)) globals.push('--output-format', r.pick(['json', 'ndjson', 'table', 'yaml']));
  if (r.chance(0.15)) globals.push('-q');
  const pipeline = r.chance(0.15) ? ['-p', r.pick(['windows', 'sysmon', 'ecs_windows'])] : [];
  let stdin = '';
  let args;
  switch (scenario) {
    case 'validate':
      args = ['validate', rulesDir, ...pipeline];
      break;
    case 'fields':
      args = ['fields', '-r', rulesDir, ...pipeline];
      break;
    case 'lint':
      args = ['lint', rulesDir, ...(r.chance(0.3) ? ['--output-format', 'sarif'] : []), ...(r.chance(0.2) ? ['--fail-level', 'info'] : [])];
      break;
    case 'lint-fix':
      // Fixing rewrites the mutated files in place; the run must still end cleanly (a second pass is lint's own test).
      args = ['lint', rulesDir, '--fix'];
      break;
    case 'pipeline-diff':
      args = ['pipeline', 'diff', '-r', rulesDir, '-p', r.pick(['windows', 'sysmon', 'ecs_windows'])];
      break;
    case 'parse':
      args = ['parse', ruleFiles[mutateIndex]];
      break;
    case 'parse-stdin':
      args = ['parse', '-'];
      stdin = readFileSync(ruleFiles[mutateIndex], 'utf8');
      break;
    case 'condition':
      // NUL cannot be passed in an argument; everything else can.
      args = ['parse', '--condition', mutateCondition(r, mutations).replaceAll('\u0000', '')];
      break;
    case 'eval':
    case 'eval-stdin': {
      const text = mutateEvents(r, seeds.events, mutations);
      const format = r.chance(0.3) ? ['--input-format', r.pick(['json', 'auto', 'logfmt', 'cef', 'syslog', 'plain'])] : [];
      let input = [];
      if (scenario === 'eval') {
        const file = join(dir, r.pick(['events.ndjson', 'events.json', 'events.log']));
        writeFileSync(file, text);
        input = ['-i', file];
      } else {
        stdin = text;
      }
      args = ['eval', '-r', rulesDir, ...input, ...format, ...pipeline, ...evalOptions(r)];
      break;
    }
    case 'eval-inline':
    case 'explain': {
      const event = mutateEventLine(r, r.pick(seeds.events), mutations).replaceAll('\u0000', '');
      args =
        scenario === 'explain'
          ? ['explain', '-r', rulesDir, '-e', event, ...pipeline]
          : ['eval', '-r', rulesDir, '-e', event, ...evalOptions(r)];
      break;
    }
    case 'eval-evtx':
    case 'evtx-dump': {
      const source =
        regression !== undefined ? { name: basename(regression.evtx), bytes: readFileSync(regression.evtx) } : r.pick(seeds.evtx);
      mutations.push(`evtx ${source.name}`);
      const file = join(dir, 'input.evtx');
      writeFileSync(file, mutateEvtx(r, source.bytes, seeds.evtx, mutations));
      args = scenario === 'evtx-dump' ? ['evtx', 'dump', file] : ['eval', '-r', rulesDir, '-i', file, ...pipeline, ...evalOptions(r)];
      break;
    }
  }
  const capped = args.map((a) => (a.length > MAX_ARG_CHARS ? a.slice(0, MAX_ARG_CHARS) : a));
  if (capped.some((a, i) => a !== args[i])) mutations.push(`argument cut to ${MAX_ARG_CHARS} chars`);
  return { scenario, mutations, args: [...capped, ...globals], stdin };
}

function execute(cli, plan, timeoutMs) {
  return new Promise((done) => {
    const child = spawn(process.execPath, [cli, ...plan.args], {
      stdio: ['pipe', 'ignore', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stderr = '';
    // The CLI never started (e.g. an argument the system refuses): a problem of the fuzzer, reported as such.
    child.on('error', (error) => done({ code: null, signal: null, timedOut: false, stderr: '', harness: error.message }));
    let timedOut = false;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s) => {
      if (stderr.length < MAX_STDERR_CHARS) stderr += s;
    });
    // A command that stops reading stdin early closes the pipe; that is not a failure of the run.
    child.stdin.on('error', () => {});
    child.stdin.end(plan.stdin);
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, timedOut, stderr });
    });
  });
}

/** Why a run failed, or undefined when it passed. */
function judge(outcome) {
  if (outcome.harness !== undefined) return `fuzzer error: ${outcome.harness}`;
  if (outcome.timedOut) return 'timed out';
  if (outcome.code === null) return `killed by ${outcome.signal}`;
  if (!ALLOWED_EXIT_CODES.has(outcome.code)) return `exit code ${outcome.code}`;
  if (STACK_TRACE.test(outcome.stderr)) return 'stack trace on stderr';
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------

const USAGE = `usage: node scripts/fuzz-cli.mjs [--seed N] [--runs N] [--seconds S] [--timeout MS] [--jobs N] [--run I]
                                  [--keep DIR] [--cli PATH] [--corpus DIR] [--no-known] [--json] [--verbose]`;

function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      seed: { type: 'string' },
      runs: { type: 'string', default: '200' },
      seconds: { type: 'string', default: '120' },
      timeout: { type: 'string', default: '30000' },
      jobs: { type: 'string', default: '1' },
      run: { type: 'string' },
      keep: { type: 'string' },
      cli: { type: 'string', default: join(ROOT, 'apps/cli/dist/main.js') },
      corpus: { type: 'string', default: process.env.TSIGMA_CORPUS ?? join(ROOT, '../shared/corpus') },
      'no-known': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
    },
  });
  const count = (name, min) => {
    const v = Number(values[name]);
    if (!Number.isInteger(v) || v < min) throw new Error(`--${name} must be an integer >= ${min}, not "${values[name]}"`);
    return v;
  };
  const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : count('seed', 0);
  return {
    seed,
    runs: count('runs', 1),
    seconds: count('seconds', 1),
    timeoutMs: count('timeout', 100),
    jobs: count('jobs', 1),
    only: values.run === undefined ? undefined : count('run', 0),
    keep: values.keep,
    cli: resolve(values.cli),
    corpus: existsSync(values.corpus) ? resolve(values.corpus) : undefined,
    useKnown: !values['no-known'],
    json: values.json,
    verbose: values.verbose,
  };
}

async function main() {
  let opts;
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`fuzz-cli: ${e.message}\n${USAGE}\n`);
    return 2;
  }
  if (!existsSync(opts.cli)) {
    process.stderr.write(`fuzz-cli: ${opts.cli} not found; build the CLI first (pnpm build)\n`);
    return 2;
  }
  const say = (text) => process.stderr.write(text + '\n');
  const seeds = loadSeeds(opts.corpus);
  say(`fuzz-cli: seed ${opts.seed}; replay with --seed ${opts.seed}${opts.only === undefined ? '' : ` --run ${opts.only}`}`);
  for (const note of seeds.notes) say(`fuzz-cli: ${note}`);
  const work = mkdtempSync(join(tmpdir(), 'tsigma-fuzz-'));
  const keep = opts.keep ?? join(tmpdir(), `tsigma-fuzz-failures-${opts.seed}`);
  const started = Date.now();
  const deadline = started + opts.seconds * 1000;
  const runIds = opts.only !== undefined ? [opts.only] : Array.from({ length: opts.runs }, (_, i) => i);
  const failures = [];
  const known = [];
  const byScenario = {};
  let done = 0;
  let next = 0;

  const worker = async () => {
    while (next < runIds.length && (opts.only !== undefined || Date.now() < deadline)) {
      const run = runIds[next++];
      const r = runRandom(opts.seed, run);
      const dir = join(work, `run-${run}`);
      mkdirSync(dir);
      let plan;
      let outcome;
      try {
        plan = planRun(r, seeds, dir);
        outcome = await execute(opts.cli, plan, opts.timeoutMs);
      } catch (e) {
        // A bug of the fuzzer, not of the CLI: still a failure, so it gets fixed.
        plan = { scenario: 'fuzzer', mutations: [], args: [], stdin: '' };
        outcome = { code: null, signal: null, timedOut: false, stderr: '', harness: e.stack ?? String(e) };
      }
      done++;
      byScenario[plan.scenario] = (byScenario[plan.scenario] ?? 0) + 1;
      const why = judge(outcome);
      if (opts.verbose) say(`run ${run} ${plan.scenario} [${plan.mutations.join('; ')}] -> ${why ?? `exit ${outcome.code}`}`);
      if (why === undefined) {
        rmSync(dir, { recursive: true, force: true });
        continue;
      }
      const failure = {
        run,
        scenario: plan.scenario,
        mutations: plan.mutations,
        args: plan.args.map((a) => (a.length > 200 ? `${a.slice(0, 200)}…(${a.length} chars)` : a)),
        why,
        code: outcome.code,
        signal: outcome.signal,
        timedOut: outcome.timedOut,
        stderr: outcome.stderr,
      };
      const knownAs = opts.useKnown ? KNOWN_FAILURES.find((k) => k.match(failure)) : undefined;
      mkdirSync(keep, { recursive: true });
      const kept = join(keep, `run-${run}`);
      rmSync(kept, { recursive: true, force: true });
      // Inputs are kept for a look at them; `--seed S --run I` rebuilds them exactly.
      writeFileSync(join(dir, 'stderr.txt'), outcome.stderr);
      writeFileSync(join(dir, 'args.json'), JSON.stringify(plan.args, null, 2));
      try {
        renameSync(dir, kept);
      } catch {
        // Another file system: the inputs stay in the work directory, which is removed; the replay rebuilds them.
      }
      const head = outcome.stderr.split('\n').find((l) => /error|at |RangeError|TypeError/i.test(l)) ?? outcome.stderr.split('\n')[0];
      const line = `run ${run} ${plan.scenario}: ${why}${knownAs ? ` (known: ${knownAs.id})` : ''} [${plan.mutations.join('; ')}]\n    ${head?.slice(0, 300) ?? ''}\n    replay: node scripts/fuzz-cli.mjs --seed ${opts.seed} --run ${run}   inputs: ${kept}`;
      if (knownAs) {
        known.push({ ...failure, known: knownAs.id });
        if (opts.verbose) say(`KNOWN ${line}`);
      } else {
        failures.push(failure);
        say(`FAIL ${line}`);
      }
    }
  };
  await Promise.all(Array.from({ length: opts.jobs }, worker));
  rmSync(work, { recursive: true, force: true });

  const seconds = (Date.now() - started) / 1000;
  const knownCounts = {};
  for (const k of known) knownCounts[k.known] = (knownCounts[k.known] ?? 0) + 1;
  const summary = {
    seed: opts.seed,
    runs: done,
    seconds: Math.round(seconds * 10) / 10,
    failures: failures.length,
    known: knownCounts,
    scenarios: byScenario,
    notes: seeds.notes,
    failed: failures.map((f) => ({ run: f.run, scenario: f.scenario, why: f.why, mutations: f.mutations })),
  };
  say(
    `fuzz-cli: seed ${opts.seed}: ${done} runs in ${summary.seconds} s, ${failures.length} failed, ${known.length} known` +
      (known.length > 0
        ? ` (${Object.entries(knownCounts)
            .map(([k, n]) => `${k}: ${n}`)
            .join(', ')})`
        : ''),
  );
  if (opts.json) process.stdout.write(JSON.stringify(summary) + '\n');
  return failures.length > 0 ? 1 : 0;
}

process.exitCode = await main();
