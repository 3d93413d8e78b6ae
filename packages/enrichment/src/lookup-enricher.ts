// `lookup` enricher (spec 07 §5): a value from a dynamic source's cache (optionally through an extract expression)
// or a row of a table file. No network: table lookups and plain source reads run synchronously.

import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { silentLogger, type EvaluationResult, type Logger } from '@tsigma/eval';
import type { ExtractSpec, SourceCache } from '@tsigma/sources';
import { BuiltinEnricher, type EnricherSettings } from './enricher-settings.js';
import { EnrichError } from './errors.js';
import { ExtractorCache } from './extract-cache.js';
import { loadLookupTable, type LookupTable, type TableSpec } from './lookup-table.js';
import { compileTemplate, type CompiledTemplate, type TemplateSite } from './template.js';

/** A lookup backed by a dynamic source. */
export interface SourceLookup {
  source: string;
  sourceCache: SourceCache;
  /** A template rendered per result (result values JSON-string-escaped). */
  extract?: string;
  /** Default `jq`. */
  extractType?: ExtractSpec['type'];
}

/** A lookup backed by a table file. */
export interface TableLookup {
  table: LookupTable;
  /** A template rendered per result (raw). */
  key: string;
  /** Returns this column of the row instead of the whole row. */
  column?: string;
  /**
   * Where `table` came from: the file is watched and read again when it changes (debounced); a version that does
   * not load is reported through `logger` and the rows before it stay in use. `close()` stops watching.
   */
  reload?: { spec: TableSpec; logger?: Logger };
}

/** Changes to a table file closer together than this are read once. */
const TABLE_RELOAD_DEBOUNCE_MS = 100;

/** Options of {@link LookupEnricher}: one backing, plus an optional `default` for "no value". */
export type LookupOptions = (SourceLookup | TableLookup) & { default?: unknown };

/**
 * Looks a value up. No value (absent source value, no row, no column, no extract match) returns `default` when one
 * is set, else fails (`fetch` / `extract`); an extract expression that throws always fails.
 *
 * @example
 * new LookupEnricher({ id: 'owner', kind: 'detection', injectField: 'owner' },
 *   { table, key: '${detection.fields.Computer}', column: 'owner', default: 'unknown' });
 */
export class LookupEnricher extends BuiltinEnricher {
  readonly type = 'lookup';
  private readonly hasDefault: boolean;
  private readonly fallback: unknown;
  private readonly source?: { id: string; cache: SourceCache; extract?: CompiledTemplate; extractors?: ExtractorCache };
  private readonly table?: { rows: ReadonlyMap<string, unknown>; ci: boolean; key: CompiledTemplate; column?: string };
  private watcher: FSWatcher | undefined;
  private reloadTimer: NodeJS.Timeout | undefined;

  constructor(settings: EnricherSettings, opts: LookupOptions) {
    super(settings);
    this.hasDefault = Object.hasOwn(opts, 'default');
    this.fallback = opts.default;
    const site = (field: string): TemplateSite => ({
      enricherId: this.id,
      kind: this.kind,
      field,
    });
    if ('source' in opts) {
      const extract = opts.extract === undefined ? undefined : compileTemplate(opts.extract, site('extract'), 'json');
      this.source = { id: opts.source, cache: opts.sourceCache };
      if (extract !== undefined) {
        this.source.extract = extract;
        this.source.extractors = new ExtractorCache(this.id, opts.extractType ?? 'jq');
        this.readsEvent = extract.readsEvent;
      }
    } else {
      const key = compileTemplate(opts.key, site('key'), 'raw');
      this.table = { rows: opts.table.rows, ci: opts.table.caseInsensitive, key };
      if (opts.column !== undefined) this.table.column = opts.column;
      this.readsEvent = key.readsEvent;
      if (opts.reload !== undefined) this.watchTable(opts.reload.spec, opts.reload.logger ?? silentLogger);
    }
    // Only a source lookup with an extract expression needs the asynchronous path (compiling jq is asynchronous).
    if (this.source?.extract !== undefined) this.enrichNow = undefined;
  }

  async enrich(result: Readonly<EvaluationResult>): Promise<unknown> {
    const src = this.source;
    if (src?.extract === undefined || src.extractors === undefined) return this.lookupNow(result);
    const data = src.cache.get(src.id);
    if (data === undefined || data === null) return this.missing('fetch', `source '${src.id}' has no value`);
    const value = await src.extractors.run(src.extract.render(result), data);
    return value === undefined ? this.missing('extract', `the extract expression matched nothing`) : value;
  }

  enrichNow?: (result: Readonly<EvaluationResult>) => unknown = (result) => this.lookupNow(result);

  private lookupNow(result: Readonly<EvaluationResult>): unknown {
    const table = this.table;
    if (table === undefined) {
      const src = this.source as { id: string; cache: SourceCache };
      const data = src.cache.get(src.id);
      return data === undefined || data === null ? this.missing('fetch', `source '${src.id}' has no value`) : data;
    }
    const key = table.key.render(result);
    const row = table.rows.get(table.ci ? key.toLowerCase() : key);
    if (row === undefined) return this.missing('fetch', `no table row for key '${key}'`);
    if (table.column === undefined) return row;
    const value = row !== null && typeof row === 'object' ? (row as Record<string, unknown>)[table.column] : undefined;
    return value === undefined || value === null ? this.missing('extract', `the row of '${key}' has no column '${table.column}'`) : value;
  }

  /** Stops watching the table file. */
  close(): Promise<void> {
    clearTimeout(this.reloadTimer);
    this.watcher?.close();
    this.watcher = undefined;
    return Promise.resolve();
  }

  // The directory is watched, not the file: editors and deploy tools replace a file by renaming another over it.
  private watchTable(spec: TableSpec, logger: Logger): void {
    const name = basename(spec.path);
    const reload = (): void => {
      loadLookupTable(spec, this.id, logger).then(
        (next) => {
          if (this.table !== undefined && this.watcher !== undefined) this.table.rows = next.rows;
          logger.info(`lookup table reloaded: ${next.rows.size} rows`, { enricher: this.id, file: spec.path });
        },
        (error: unknown) =>
          logger.warn(`lookup table not reloaded, the previous rows stay in use: ${(error as Error).message}`, {
            enricher: this.id,
            file: spec.path,
          }),
      );
    };
    try {
      this.watcher = watch(dirname(spec.path), { persistent: false }, (_event, file) => {
        if (file !== null && file !== name) return;
        clearTimeout(this.reloadTimer);
        this.reloadTimer = setTimeout(reload, TABLE_RELOAD_DEBOUNCE_MS);
      });
    } catch (error) {
      logger.warn(`lookup table file not watched, changes need a restart: ${(error as Error).message}`, {
        enricher: this.id,
        file: spec.path,
      });
    }
  }

  private missing(kind: 'fetch' | 'extract', why: string): unknown {
    if (this.hasDefault) return this.fallback;
    throw new EnrichError(this.id, kind, why);
  }
}
