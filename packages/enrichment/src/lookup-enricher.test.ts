import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SourceCache } from '@tsigma/sources';
import { describe, expect, it } from 'vitest';
import { detection, recordingMetrics, warnings } from '../test/builders.js';
import { parseEnrichersConfig } from './config.js';
import { EnrichmentConfigError } from './errors.js';

const fixtures = join(import.meta.dirname, '../test/fixtures');
const file = join(fixtures, 'enrichers.yml');

function lookup(body: string, extra = ''): string {
  return `enrichers:\n  - id: lk\n    kind: detection\n    type: lookup\n    inject_field: owner\n${body
    .trim()
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n')}\n${extra}`;
}

async function loadError(text: string, opts = {}): Promise<EnrichmentConfigError> {
  const error = await parseEnrichersConfig(text, file, opts).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (error instanceof EnrichmentConfigError) return error;
  throw new Error(`expected an EnrichmentConfigError, got ${String(error)}`);
}

describe('lookup enricher: source backing', () => {
  it('§9.3 a source without a value and default unknown gives "unknown"', async () => {
    const sourceCache = await SourceCache.open();
    const p = await parseEnrichersConfig(lookup('source: assets\ndefault: unknown'), file, { sourceCache });
    const [r] = await p.run([detection()]);
    expect(r?.enrichments).toEqual({ owner: 'unknown' });
  });

  it('§9.3 an invalid jq extract with a default applies on_error (skip): the field is absent', async () => {
    const sourceCache = await SourceCache.open();
    sourceCache.set('assets', { dc01: 'IT-Ops' });
    const metrics = recordingMetrics();
    const p = await parseEnrichersConfig(lookup('source: assets\nextract: ".[[["\ndefault: unknown'), file, { sourceCache, metrics });
    const [r] = await p.run([detection()]);
    expect(r?.enrichments).toBeUndefined();
    expect(metrics.statuses('lk')).toEqual(['skip']);
  });

  it('extract: one output is the value, none is no match (default), several an array', async () => {
    const sourceCache = await SourceCache.open();
    sourceCache.set('assets', { dc01: { owner: 'IT-Ops', tags: ['a', 'b'] } });
    const run = async (extract: string): Promise<unknown> => {
      const p = await parseEnrichersConfig(lookup(`source: assets\nextract: '${extract}'\ndefault: none`), file, { sourceCache });
      const [r] = await p.run([detection({ Computer: 'dc01' })]);
      return r?.enrichments?.['owner'];
    };
    expect(await run('.["${detection.fields.Computer}"].owner')).toBe('IT-Ops');
    expect(await run('.["${detection.fields.Computer}"].missing')).toBe('none');
    expect(await run('.["${detection.fields.Computer}"].tags[]')).toEqual(['a', 'b']);
  });

  it('§9.11 a user value a"b in extract stays one string literal and matches the key a"b', async () => {
    const sourceCache = await SourceCache.open();
    sourceCache.set('users', { 'a"b': { dept: 'finance' }, a: { dept: 'wrong' } });
    const p = await parseEnrichersConfig(lookup(`source: users\nextract: '."\${detection.fields.User}"'`), file, {
      sourceCache,
      sourceIds: ['users'],
    });
    const [r] = await p.run([detection({ User: 'a"b' })]);
    expect(r?.enrichments).toEqual({ owner: { dept: 'finance' } });
  });

  it('a source lookup without a source cache, or naming an undeclared source, is a load error', async () => {
    expect((await loadError(lookup('source: assets'))).code).toBe('undeclared_source');
    const error = await loadError(lookup('source: assets'), { sourceCache: await SourceCache.open(), sourceIds: ['other'] });
    expect(error.code).toBe('undeclared_source');
    expect(error.spot).toMatchObject({ file, enricherId: 'lk', key: 'source' });
  });
});

describe('lookup enricher: table backing', () => {
  it('§9.4 CSV hostname,owner: dc01 gives IT-Ops; DC01 with case_insensitive true too', async () => {
    const p = await parseEnrichersConfig(
      lookup('table: { path: assets.csv, key_column: hostname }\nkey: "${detection.fields.Computer}"\ncolumn: owner'),
      file,
    );
    const [r] = await p.run([detection({ Computer: 'dc01' })]);
    expect(r?.enrichments).toEqual({ owner: 'IT-Ops' });
    const exact = await p.run([detection({ Computer: 'DC01' })]);
    expect(exact[0]?.enrichments).toBeUndefined();
    const ci = await parseEnrichersConfig(
      lookup(
        'table: { path: assets.csv, key_column: hostname }\nkey: "${detection.fields.Computer}"\ncolumn: owner\ncase_insensitive: true',
      ),
      file,
    );
    const [r2] = await ci.run([detection({ Computer: 'DC01' })]);
    expect(r2?.enrichments).toEqual({ owner: 'IT-Ops' });
  });

  it('duplicate keys: the first row wins, one warning with the count; without column the whole row', async () => {
    const logger = warnings();
    const p = await parseEnrichersConfig(
      lookup('table: { path: assets.csv, key_column: hostname }\nkey: "${detection.fields.Computer}"'),
      file,
      {
        logger,
      },
    );
    const [r] = await p.run([detection({ Computer: 'dc01' })]);
    expect(r?.enrichments).toEqual({ owner: { hostname: 'dc01', owner: 'IT-Ops', site: 'berlin' } });
    expect(logger.lines.filter((l) => l.includes('1 duplicate key'))).toHaveLength(1);
    expect(p.files).toContain(join(fixtures, 'assets.csv'));
  });

  it('JSON objects and YAML lists of rows; a missing row uses the default', async () => {
    for (const table of ['{ path: assets.json }', '{ path: assets.yaml, key_column: hostname }']) {
      const p = await parseEnrichersConfig(
        lookup(`table: ${table}\nkey: "\${detection.fields.Computer}"\ncolumn: owner\ndefault: nobody`),
        file,
      );
      const out = await p.run([detection({ Computer: 'web01' }), detection({ Computer: 'zz' })]);
      expect(out.map((r) => r.enrichments?.['owner'])).toEqual(['Web Team', 'nobody']);
    }
  });

  it('a missing row without default applies on_error (null), status error', async () => {
    const metrics = recordingMetrics();
    const p = await parseEnrichersConfig(
      lookup('table: { path: assets.csv, key_column: hostname }\nkey: "${detection.fields.Computer}"\ncolumn: owner\non_error: null'),
      file,
      { metrics },
    );
    const [r] = await p.run([detection({ Computer: 'nope' })]);
    expect(r?.enrichments).toEqual({ owner: null });
    expect(metrics.statuses('lk')).toEqual(['error']);
  });

  it('a missing or malformed table is a load error naming the enricher, table.path, and the line', async () => {
    const missing = await loadError(lookup('table: { path: nope.csv, key_column: hostname }\nkey: x'));
    expect(missing.code).toBe('io');
    expect(missing.spot).toMatchObject({ file, enricherId: 'lk', key: 'table.path' });
    expect(missing.message).toContain('nope.csv');
    const csv = await loadError(lookup('table: { path: broken.csv, key_column: hostname }\nkey: x'));
    expect(csv.code).toBe('invalid_table');
    expect(csv.message).toMatch(/broken\.csv:\d+/);
    const json = await loadError(lookup('table: { path: broken.json }\nkey: x'));
    expect(json.code).toBe('invalid_table');
    expect(json.message).toContain('broken.json:3');
    const col = await loadError(lookup('table: { path: assets.csv, key_column: host }\nkey: x'));
    expect(col.code).toBe('invalid_table');
  });
});

describe('lookup enricher: table reload', () => {
  it('reads the table again when its file changes, keeps the old rows when the new file does not load, stops at close()', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsigma-lookup-'));
    const table = join(dir, 'assets.csv');
    writeFileSync(table, 'hostname,owner\ndc01,IT-Ops\n');
    const logger = warnings();
    const p = await parseEnrichersConfig(
      lookup('table: { path: assets.csv, key_column: hostname }\nkey: "${detection.fields.Computer}"\ncolumn: owner'),
      join(dir, 'enrichers.yml'),
      { logger },
    );
    const owner = async (): Promise<unknown> => (await p.run([detection({ Computer: 'dc01' })]))[0]?.enrichments?.['owner'];
    const eventually = async (want: unknown): Promise<void> => {
      for (let i = 0; i < 100 && (await owner()) !== want; i++) await new Promise((r) => setTimeout(r, 30));
      expect(await owner()).toBe(want);
    };
    try {
      expect(await owner()).toBe('IT-Ops');
      writeFileSync(table, 'hostname,owner\ndc01,SecOps\n');
      await eventually('SecOps');
      writeFileSync(table, 'name,owner\ndc01,Nobody\n'); // no hostname column: does not load
      for (let i = 0; i < 100 && !logger.lines.some((l) => l.includes('not reloaded')); i++) await new Promise((r) => setTimeout(r, 30));
      expect(logger.lines.some((l) => l.includes('lookup table not reloaded, the previous rows stay in use'))).toBe(true);
      expect(await owner()).toBe('SecOps');
      await p.close();
      writeFileSync(table, 'hostname,owner\ndc01,After-Close\n');
      await new Promise((r) => setTimeout(r, 400));
      expect(await owner()).toBe('SecOps');
    } finally {
      await p.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
