// The daemon's wiring (spec 10 §2–6): start-up in the order of §2, the one processing loop (runPipeline), the alert
// pipeline as a result stage with its 1 s tick, hot reload, state persistence and the graceful shutdown sequence.
// Every behaviour lives in the packages; this file connects them and answers the HTTP API.
import { EnrichmentConfigError, enrichmentStage, loadEnrichersFile, type EnrichmentPipeline } from '@tsigma/enrichment';
import { existsSync, statSync, watch, type FSWatcher } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Server } from 'node:http';
import { resolvePipeline, type CorrelationSnapshot, type EvaluationResult, type Logger, type Pipeline } from '@tsigma/eval';
import {
  DeadLetterWriter,
  describeRuleLoadError,
  FileSink,
  LogProcessor,
  MergedSource,
  NOOP_ACK,
  OtlpError,
  ParallelLogProcessor,
  PushSource,
  runPipeline,
  RuntimeEngine,
  RuntimeError,
  serializeResult,
  StdinSource,
  StdoutSink,
  createEventFilter,
  decodeOtlpLogs,
  otlpEncodingOf,
  type AckToken,
  type EngineStats,
  type EventFilter,
  type EventSource,
  type RawEvent,
  type ResultStage,
  type Sink,
  type SinkRoute,
} from '@tsigma/runtime';
import {
  AlertPipelineError,
  AlertPipelineState,
  loadAlertPipelineFile,
  SilenceError,
  type AlertPipeline,
  type SilenceSpec,
} from '@tsigma/alert-pipeline';
import {
  createNatsSourceFetcher,
  NatsSink,
  NatsSource,
  natsConfigFromEnv,
  validateNatsConfig,
  connectNats,
  serveResolveControl,
  type NatsConnectConfig,
  type ReplayPolicy,
} from '@tsigma/io-nats';
import {
  DefaultSourceResolver,
  loadSourceFiles,
  openSqliteCachePersistence,
  PipelineSources,
  SourceCache,
  SourceConfigError,
  type RefreshScheduler,
  type SqliteCachePersistence,
} from '@tsigma/sources';
import type { DaemonConfig, SinkSpec } from './config.js';
import { createApiServer, type ApiBackend, type ApiReply } from './http-api.js';
import { DaemonMetrics } from './metrics.js';
import { decideStateRestore, StateDbError, StateStore, type SourcePosition } from './state-store.js';

/** Ends the daemon with an exit code (2 rules, 3 configuration) and a message for the log. */
export class DaemonExit extends Error {
  override readonly name = 'DaemonExit';
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const VERSION = '0.0.0';
const RELOAD_DEBOUNCE_MS = 500;

type Phase = 'loading' | 'running' | 'shutting_down';

interface LastReload {
  at: string;
  ok: boolean;
  errors: string[];
}

/** The running daemon. `run()` resolves with the exit code once shut down. */
export class Daemon implements ApiBackend {
  private readonly metrics = new DaemonMetrics();
  private phase: Phase = 'loading';
  private rulesLoaded = false;
  private store: StateStore | undefined;
  private cachePersistence: SqliteCachePersistence | undefined;
  private server: Server | undefined;
  private readonly sinks: Sink[] = [];
  private dlqSink: Sink | undefined;
  private processor: LogProcessor | undefined;
  private parallel: ParallelLogProcessor | undefined;
  private pipelineSources: PipelineSources | undefined;
  private scheduler: RefreshScheduler | undefined;
  private sourceCache: SourceCache | undefined;
  private alertPipeline: AlertPipeline | undefined;
  private readonly alertState: AlertPipelineState;
  private push: PushSource | undefined;
  private readonly stop = new AbortController();
  /** Aborted when the drain timeout expires: undelivered results go to the DLQ and their inputs stay unacked. */
  private readonly giveUp = new AbortController();
  private readonly watchers: FSWatcher[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private lastReload: LastReload | undefined;
  private reloadTimer: NodeJS.Timeout | undefined;
  private reloading: Promise<LastReload> | undefined;
  private reloadAgain = false;
  private reloadWaiters: ((r: LastReload) => void)[] = [];
  private position: SourcePosition | undefined;
  private natsConfig: NatsConnectConfig | undefined;
  private readonly started = Date.now();
  private dynamic = false;

  constructor(
    private readonly config: DaemonConfig,
    private readonly log: Logger,
  ) {
    this.alertState = new AlertPipelineState({ logger: log });
    if (config.apiToken !== undefined) this.metrics.enableAuthMetrics();
  }

  /** Runs until shutdown; returns the exit code. Throws DaemonExit for start-up failures. */
  async run(): Promise<number> {
    const c = this.config;
    try {
      // 1. The state database (lock, WAL, tables).
      if (c.stateDb !== undefined) {
        try {
          this.store = StateStore.open(c.stateDb);
          this.cachePersistence = openSqliteCachePersistence(c.stateDb);
        } catch (error) {
          if (error instanceof StateDbError || error instanceof SourceConfigError) throw new DaemonExit(3, `state.db: ${error.message}`);
          throw error;
        }
        if (c.clearState) this.store.clear();
      }
      // 2. The HTTP API: /healthz 200, /readyz 503 until the rules are loaded.
      await this.bindApi();
      // 3. Sinks, the DLQ and NATS.
      await this.buildSinks();
      // 4–5. Sources and rules.
      await this.loadEngine();
      this.rulesLoaded = true;
      // 6. Restore state.
      this.restoreState();
      // 7. Enrichment, then the alert pipeline.
      if (c.enrichers !== undefined) {
        this.enrichment = await this.readEnrichers(c.enrichers).catch((error: unknown) => {
          throw new DaemonExit(3, `enrichers: ${(error as Error).message}`);
        });
      }
      if (c.alertPipeline !== undefined) {
        this.alertPipeline = await this.readAlertPipeline(c.alertPipeline).catch((error: unknown) => {
          throw new DaemonExit(3, `alert_pipeline: ${(error as Error).message}`);
        });
        this.alertPipeline.install(this.alertState);
        this.restoreAlertState();
      }
      // 8. Watchers, refresh, ticks, periodic saves.
      this.startWatchers();
      this.startTimers();
      await this.startControlSubject();
      // 9. The input.
      const source = await this.openInput();
      this.phase = 'running';
      this.log.info('tsigmad running', {
        input: this.inputLabel(),
        api: `${c.apiHost}:${c.apiPort}`,
        detection_rules: this.engine().stats().detectionRules,
        correlation_rules: this.engine().stats().correlationRules,
        workers: this.parallel?.size ?? 1,
      });
      return await this.process(source);
    } catch (error) {
      await this.cleanup();
      throw error;
    }
  }

  /** SIGINT/SIGTERM: the graceful stop (§6). */
  requestStop(reason: string): void {
    if (this.phase === 'shutting_down') return;
    this.log.info('shutting down', { reason });
    this.phase = 'shutting_down';
    this.stop.abort();
    void this.push?.close();
  }

  /** SIGHUP and the reload route. */
  triggerReload(why: string): void {
    this.log.info('reload requested', { trigger: why });
    if (this.reloadTimer !== undefined) clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => {
      this.reloadTimer = undefined;
      void this.runReload();
    }, RELOAD_DEBOUNCE_MS);
  }

  // ---- start-up ----

  private async bindApi(): Promise<void> {
    const c = this.config;
    const server = createApiServer({
      backend: this,
      metrics: this.metrics,
      ...(c.apiToken === undefined ? {} : { token: c.apiToken }),
      maxRequestBytes: c.maxRequestBytes,
      onError: (error) => this.log.error('API request failed', { error: error instanceof Error ? error.message : String(error) }),
    });
    await new Promise<void>((resolveListen, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(new DaemonExit(3, `api.addr: cannot listen on ${c.apiHost}:${c.apiPort}: ${error.code ?? error.message}`)),
      );
      server.listen(c.apiPort, c.apiHost, () => resolveListen());
    });
    this.server = server;
    const addr = server.address();
    if (addr !== null && typeof addr === 'object') this.log.info('API listening', { addr: `${addr.address}:${addr.port}` });
  }

  private natsConfigFor(url: string): NatsConnectConfig {
    const n = this.config.nats;
    const cfg = natsConfigFromEnv(
      {
        url,
        ...(n.creds === undefined ? {} : { credentialsFile: n.creds }),
        ...(n.nkey === undefined ? {} : { nkeySeed: n.nkey }),
        ...(n.token === undefined ? {} : { token: n.token }),
        ...(n.user === undefined ? {} : { user: n.user }),
        ...(n.password === undefined ? {} : { password: n.password }),
        ...(n.tlsCert === undefined ? {} : { tlsCert: n.tlsCert }),
        ...(n.tlsKey === undefined ? {} : { tlsKey: n.tlsKey }),
        ...(n.tlsCa === undefined ? {} : { tlsCa: n.tlsCa }),
        ...(n.requireTls ? { requireTls: true } : {}),
      },
      {},
    );
    try {
      validateNatsConfig(cfg);
    } catch (error) {
      throw new DaemonExit(3, `nats: ${(error as Error).message}`);
    }
    return cfg;
  }

  private async openSink(spec: SinkSpec): Promise<Sink> {
    switch (spec.kind) {
      case 'stdout':
        return new StdoutSink(this.config.pretty);
      case 'file':
        return new FileSink(spec.path);
      case 'nats':
        try {
          return await NatsSink.connect(this.natsConfigFor(spec.url), spec.subject, { logger: this.log });
        } catch (error) {
          if (error instanceof DaemonExit) throw error;
          throw new DaemonExit(3, `output: cannot connect to NATS for ${spec.spec}: ${(error as Error).message}`);
        }
    }
  }

  private async buildSinks(): Promise<void> {
    for (const spec of this.config.sinks) this.sinks.push(await this.openSink(spec));
    if (this.config.dlq !== undefined) this.dlqSink = await this.openSink(this.config.dlq);
  }

  private engine(): RuntimeEngine {
    return (this.processor as LogProcessor).currentEngine();
  }

  private async loadEngine(): Promise<void> {
    const c = this.config;
    const builtins: Pipeline[] = [];
    const pipelinePaths: string[] = [];
    for (const ref of c.pipelines) {
      if (existsSync(ref)) pipelinePaths.push(resolve(ref));
      else {
        try {
          builtins.push(await resolvePipeline(ref));
        } catch (error) {
          throw new DaemonExit(3, `pipelines: ${ref}: ${(error as Error).message}`);
        }
      }
    }
    let fileSources;
    try {
      fileSources = await loadSourceFiles(c.sources);
    } catch (error) {
      throw new DaemonExit(3, `sources: ${(error as Error).message}`);
    }
    const cache = await SourceCache.open({
      ...(c.sourceCacheTtlMs === undefined ? {} : { ttlMs: c.sourceCacheTtlMs }),
      ...(this.cachePersistence === undefined ? {} : { persistence: this.cachePersistence }),
      logger: this.log,
    });
    this.sourceCache = cache;
    const natsUrl = c.nats.url ?? (c.input.kind === 'nats' ? c.input.url : undefined);
    if (natsUrl !== undefined) this.natsConfig = this.natsConfigFor(natsUrl);
    const resolver = new DefaultSourceResolver({
      cache,
      egress: { preset: c.egressPolicy as 'default' | 'strict' | 'permissive', allowHosts: c.egressAllowHosts },
      logger: this.log,
      metrics: this.metrics.hook,
      fetchers: { nats: createNatsSourceFetcher(this.natsConfig === undefined ? {} : { connection: this.natsConfig }) },
    });
    this.pipelineSources = new PipelineSources({ resolver, fileSources, allowRemoteInclude: c.allowRemoteInclude, logger: this.log });
    const engineOptions = {
      rulesPath: c.rules,
      correlationConfig: c.correlation,
      // The alert pipeline and enrichers read the embedded event; stages remove it again unless --include-event.
      includeEvent: c.includeEvent || c.alertPipeline !== undefined || c.enrichers !== undefined,
      skipInvalidRules: c.skipInvalidRules,
    };
    // Rule warnings for the rule's author (modifier_order, ...) carry a `code`: one count line instead of one line each.
    const log = this.log;
    const engineLog: Logger = {
      ...log,
      warn: (msg, fields) => (fields?.['code'] !== undefined ? log.debug(msg, fields) : log.warn(msg, fields)),
    };
    const engine = new RuntimeEngine({
      ...engineOptions,
      pipelines: builtins,
      pipelinePaths,
      sources: this.pipelineSources,
      logger: engineLog,
    });
    if (!existsSync(c.rules)) throw new DaemonExit(2, `rules: ${c.rules}: no such file or directory`);
    let stats: EngineStats;
    try {
      stats = await engine.loadRules();
    } catch (error) {
      throw loadFailure(error);
    }
    if (stats.detectionRules + stats.correlationRules === 0)
      throw new DaemonExit(2, `rules: ${c.rules}: no detection or correlation rule could be loaded`);
    for (const issue of stats.skipped) this.log.warn('rule skipped', { error: describeRuleLoadError(issue) });
    const warnings = stats.issues.length - stats.skipped.length;
    if (warnings > 0) this.log.info('rule warnings (--log-level debug lists them)', { count: warnings });
    this.metrics.setRuleCounts(stats.detectionRules, stats.correlationRules);
    this.processor = new LogProcessor(engine, this.metrics.hook);
    this.dynamic = this.pipelineSources.sources().length > 0;
    if (this.dynamic) {
      const scheduler = this.pipelineSources.scheduler({ metrics: this.metrics.hook, logger: this.log });
      scheduler.onUpdate((u) => {
        if (!u.changed) return;
        this.log.info('source changed; rebuilding rules', { source_id: u.id });
        void this.reloadRulesStep('latest').then((errors) => {
          if (errors.length > 0) this.log.error('source-driven rebuild failed', { source_id: u.id, errors: errors.join('; ') });
        });
      });
      this.scheduler = scheduler;
    }
    const filterConfig = c.jq !== undefined ? { jq: c.jq } : c.jsonpath !== undefined ? { jsonpath: c.jsonpath } : undefined;
    // Worker threads rebuild their engines from pipeline references, which would not carry resolved source values.
    if (c.workers > 1 && !this.dynamic) {
      try {
        this.parallel = await ParallelLogProcessor.start({
          processor: this.processor,
          spec: { engine: engineOptions, pipelineRefs: c.pipelines, ...(filterConfig === undefined ? {} : { filter: filterConfig }) },
          workers: c.workers,
          logger: this.log,
        });
      } catch (error) {
        throw loadFailure(error);
      }
    } else if (filterConfig !== undefined) {
      try {
        this.filter = await createEventFilter(filterConfig);
      } catch (error) {
        throw new DaemonExit(3, `${c.jq !== undefined ? 'input.jq' : 'input.jsonpath'}: ${(error as Error).message}`);
      }
    }
  }

  private filter: EventFilter | undefined;

  /** The enrichment pipeline (spec 10 §2 step 3): runs before the alert pipeline; a reload swaps it. */
  private enrichment: EnrichmentPipeline | undefined;

  private async readEnrichers(path: string): Promise<EnrichmentPipeline> {
    const c = this.config;
    try {
      return await loadEnrichersFile(path, {
        ...(this.sourceCache === undefined ? {} : { sourceCache: this.sourceCache }),
        egress: { preset: c.egressPolicy as 'default' | 'strict' | 'permissive', allowHosts: c.egressAllowHosts },
        metrics: this.metrics.hook,
        logger: this.log,
      });
    } catch (error) {
      if (error instanceof EnrichmentConfigError) throw new Error(error.message);
      throw error;
    }
  }

  private async readAlertPipeline(path: string): Promise<AlertPipeline> {
    try {
      return await loadAlertPipelineFile(path);
    } catch (error) {
      if (error instanceof AlertPipelineError) throw new Error(error.message);
      throw error;
    }
  }

  private restoreDecision(): boolean {
    const c = this.config;
    const stored = this.store?.load().correlation?.position;
    return decideStateRestore({
      clearState: c.clearState,
      keepState: c.keepState,
      natsInput: c.input.kind === 'nats',
      replay: c.replay,
      ...(stored === undefined ? {} : { stored }),
    });
  }

  private restoreState(): void {
    if (this.store === undefined || !this.restoreDecision()) return;
    const saved = this.store.load().correlation;
    if (saved === undefined) return;
    if (saved.position !== undefined) this.position = saved.position;
    let snapshot: CorrelationSnapshot;
    try {
      snapshot = JSON.parse(saved.snapshot) as CorrelationSnapshot;
    } catch {
      this.log.warn('correlation snapshot ignored: invalid JSON');
      return;
    }
    const ok = this.engine().importState(snapshot);
    if (ok) this.log.info('correlation state restored', { entries: this.engine().stats().stateEntries });
    else this.log.warn('correlation snapshot ignored: unknown version');
    this.metrics.correlationStateEntries.set(this.engine().stats().stateEntries);
  }

  private restoreAlertState(): void {
    if (this.store === undefined || this.alertPipeline === undefined || !this.restoreDecision()) return;
    const saved = this.store.load().alertPipeline;
    if (saved === undefined) return;
    try {
      if (this.alertPipeline.restore(this.alertState, JSON.parse(saved) as unknown, nowSec()))
        this.log.info('alert pipeline state restored');
    } catch (error) {
      this.log.warn('alert pipeline snapshot ignored', { error: (error as Error).message });
    }
  }

  private watchedFiles(): string[] {
    const c = this.config;
    const optional = [c.alertPipeline, c.enrichers].filter((p): p is string => p !== undefined);
    return [...c.pipelines.filter((p) => existsSync(p)), ...c.sources, ...optional].map((p) => resolve(p));
  }

  private startWatchers(): void {
    const onChange = (file: string | null): void => {
      if (this.phase === 'shutting_down') return;
      if (file !== null && !/\.ya?ml$/i.test(file)) return;
      this.triggerReload(`file change${file === null ? '' : `: ${file}`}`);
    };
    const rules = resolve(this.config.rules);
    try {
      if (statSync(rules).isDirectory()) this.watchers.push(watch(rules, { recursive: true }, (_e, f) => onChange(f)));
      else
        this.watchers.push(
          watch(dirname(rules), (_e, f) => (f !== null && resolve(dirname(rules), f) === rules ? onChange(f) : undefined)),
        );
    } catch (error) {
      this.log.warn('cannot watch the rules path; reload with SIGHUP or the API', { error: (error as Error).message });
    }
    for (const file of this.watchedFiles()) {
      try {
        const dir = statSync(file).isDirectory() ? file : dirname(file);
        this.watchers.push(watch(dir, (_e, f) => (f !== null && (dir === file || resolve(dir, f) === file) ? onChange(f) : undefined)));
      } catch (error) {
        this.log.warn('cannot watch a file; reload with SIGHUP or the API', { file, error: (error as Error).message });
      }
    }
    this.scheduler?.start();
  }

  /** With dynamic sources and a NATS server (`--nats-url` or the input's), `tsigma.control.resolve` triggers resolves. */
  private async startControlSubject(): Promise<void> {
    const scheduler = this.scheduler;
    if (scheduler === undefined || this.natsConfig === undefined) return;
    try {
      const nc = await connectNats(this.natsConfig, this.log);
      const stop = serveResolveControl(nc, scheduler);
      this.closeControl = async () => {
        stop();
        await nc.close();
      };
    } catch (error) {
      throw new DaemonExit(3, `nats-url: cannot connect for the control subject: ${(error as Error).message}`);
    }
  }

  private closeControl: (() => Promise<void>) | undefined;

  private startTimers(): void {
    const tick = setInterval(() => this.alertTick(), 1000);
    tick.unref();
    this.timers.push(tick);
    if (this.store !== undefined) {
      const save = setInterval(() => this.saveState(), this.config.stateSaveIntervalMs);
      save.unref();
      this.timers.push(save);
    }
  }

  private inputLabel(): string {
    const i = this.config.input;
    return i.kind === 'nats' ? `nats:${i.subject}` : i.kind;
  }

  private async openInput(): Promise<EventSource> {
    const c = this.config;
    const input = c.input;
    // HTTP ingest and OTLP requests push here; OTLP is accepted with every input, so the push source joins it.
    const push = new PushSource(c.bufferSize, { onBackPressure: () => this.metrics.hook.onBackPressure?.() });
    this.push = push;
    if (input.kind === 'http' || input.kind === 'otlp') return push;
    if (input.kind === 'stdin') {
      // End of stdin ends the daemon: the push source closes with it so the merged input ends.
      const stdin = new StdinSource(process.stdin, 'stdin');
      const endsWithStdin: EventSource = {
        recv: () => Promise.reject(new Error('unused: recvMany is used')),
        recvMany: async (max) => {
          const batch = await stdin.recvMany(max);
          if (batch === null || batch.length === 0) await push.close();
          return batch;
        },
        close: () => stdin.close(),
      };
      return new MergedSource([endsWithStdin, push]);
    }
    const replay: ReplayPolicy = c.replay;
    let source: NatsSource;
    try {
      source = await NatsSource.connect(this.natsConfigFor(input.url), input.subject, replay, c.nats.consumerGroup, {
        ackWaitMs: c.nats.ackWaitMs,
        ...(c.nats.maxDeliver === undefined ? {} : { maxDeliver: c.nats.maxDeliver }),
        logger: this.log,
        onRedelivered: () => this.metrics.natsRedelivered.inc(),
      });
    } catch (error) {
      if (error instanceof DaemonExit) throw error;
      throw new DaemonExit(3, `input: cannot set up the NATS input ${input.url}/${input.subject}: ${(error as Error).message}`);
    }
    const nats = new PositionTrackingSource(source, (p) => {
      if (this.position === undefined || p.streamSeq > this.position.streamSeq) this.position = p;
    });
    return new MergedSource([nats, push]);
  }

  // ---- processing ----

  private stages(): ResultStage[] {
    const stages: ResultStage[] = [];
    if (this.enrichment !== undefined) {
      const stripEvents = !this.config.includeEvent && this.alertPipeline === undefined;
      stages.push(enrichmentStage(() => this.enrichment as EnrichmentPipeline, { stripEvents }));
    }
    if (this.alertPipeline !== undefined) {
      const keepEvents = this.config.includeEvent;
      stages.push({
        name: 'alert-pipeline',
        process: (results) => {
          const pipeline = this.alertPipeline as AlertPipeline;
          const kept = pipeline.process(results, this.alertState, nowSec(), this.metrics.hook);
          if (!keepEvents) for (const r of kept) if ('event' in r) delete r.event;
          return kept;
        },
      });
    }
    return stages;
  }

  private async process(source: EventSource): Promise<number> {
    const c = this.config;
    const deadLetter = this.dlqSink === undefined ? undefined : new DeadLetterWriter(this.dlqSink, { metrics: this.metrics.hook });
    const routes: SinkRoute[] = this.sinks.map((sink, i) => ({ sink, onFull: c.sinks[i]?.onFull ?? 'block' }));
    const running = runPipeline({
      source,
      processor: this.processor as LogProcessor,
      ...(this.parallel === undefined ? {} : { parallel: this.parallel }),
      ...(this.filter === undefined ? {} : { filter: this.filter }),
      sinks: routes,
      stages: this.stages(),
      format: c.inputFormat,
      ...(deadLetter === undefined ? {} : { deadLetter }),
      delivery: c.delivery,
      batchSize: c.batchSize,
      capacity: c.bufferSize,
      metrics: { ...this.metrics.hook, setCorrelationStateEntries: (n) => this.metrics.correlationStateEntries.set(n) },
      logger: this.log,
      signal: this.stop.signal,
      abandon: this.giveUp.signal,
    });
    // End of stdin ends the daemon like a signal does.
    let failure: unknown;
    let drainTimedOut = false;
    const finished = running.then(
      (counts) => {
        this.log.info('processing loop ended', {
          received: counts.received,
          processed: counts.processed,
          results: counts.results,
          dead_lettered: counts.deadLettered + counts.resultsDeadLettered,
          back_pressure_events: this.metrics.totals.backPressure,
        });
      },
      (error: unknown) => {
        failure = error;
      },
    );
    await Promise.race([finished, new Promise<void>((r) => this.stop.signal.addEventListener('abort', () => r(), { once: true }))]);
    if (this.phase !== 'shutting_down') {
      this.phase = 'shutting_down';
      this.log.info('shutting down', { reason: failure === undefined ? 'end of input' : 'processing failed' });
    }
    const timeout = new Promise<'timeout'>((r) => {
      const t = setTimeout(() => r('timeout'), c.drainTimeoutMs);
      t.unref();
    });
    if ((await Promise.race([finished.then(() => 'done' as const), timeout])) === 'timeout') {
      drainTimedOut = true;
      this.log.warn('drain timeout reached', { drain_timeout_ms: c.drainTimeoutMs });
      // Best effort, at most 1 s: what is still queued goes to the DLQ as `shutdown: drain timeout`, unacked.
      this.giveUp.abort();
      const grace = new Promise<void>((r) => setTimeout(r, 1000).unref());
      await Promise.race([finished, grace]);
    }
    if (failure !== undefined) this.log.error('processing failed', { error: errorText(failure) });
    // A last alert tick so incidents due now are not lost, then state, sinks and connections.
    this.alertTick();
    await this.cleanup();
    return failure !== undefined && !drainTimedOut ? 1 : 0;
  }

  private alertTick(): void {
    const pipeline = this.alertPipeline;
    if (pipeline === undefined) return;
    const out = pipeline.tick(this.alertState, nowSec(), this.metrics.hook);
    if (out.dedupLines.length === 0 && out.incidents.length === 0) return;
    const lines = out.dedupLines.map((r: EvaluationResult) => serializeResult(r));
    const incidents = out.incidents.map((i) => JSON.stringify(i));
    for (const sink of this.sinks) {
      void (async () => {
        try {
          for (const line of lines) await sink.sendRaw(line);
          for (const inc of incidents) {
            if (sink.sendIncident !== undefined) await sink.sendIncident(inc, pipeline.incidentNatsSubject);
            else await sink.sendRaw(inc);
          }
        } catch (error) {
          this.log.error('alert pipeline output failed', { sink: sink.label, error: (error as Error).message });
        }
      })();
    }
  }

  private saveState(): void {
    const store = this.store;
    if (store === undefined || this.processor === undefined) return;
    try {
      const snap = this.engine().stats().correlationRules > 0 ? this.engine().exportState() : null;
      const correlation =
        snap === null ? undefined : { snapshot: JSON.stringify(snap), ...(this.position === undefined ? {} : { position: this.position }) };
      const alerts = this.alertPipeline === undefined ? undefined : JSON.stringify(this.alertPipeline.snapshot(this.alertState));
      store.save(correlation, alerts);
      this.log.debug('state saved');
    } catch (error) {
      this.metrics.stateSaveErrors.inc();
      this.log.error('state save failed; retrying at the next interval', { error: (error as Error).message });
    }
  }

  private cleanedUp = false;

  private async cleanup(): Promise<void> {
    if (this.cleanedUp) return;
    this.cleanedUp = true;
    this.phase = 'shutting_down';
    for (const t of this.timers) clearInterval(t);
    if (this.reloadTimer !== undefined) clearTimeout(this.reloadTimer);
    for (const w of this.watchers) w.close();
    await this.scheduler?.stop().catch(() => undefined);
    await this.closeControl?.().catch(() => undefined);
    await this.parallel?.close().catch(() => undefined);
    await this.enrichment?.close().catch(() => undefined);
    this.saveState();
    for (const sink of [...this.sinks, ...(this.dlqSink === undefined ? [] : [this.dlqSink])]) {
      await sink
        .close()
        .catch((error: unknown) => this.log.error('closing a sink failed', { sink: sink.label, error: (error as Error).message }));
    }
    try {
      this.cachePersistence?.close();
    } catch {
      // already closed
    }
    try {
      this.store?.close();
    } catch (error) {
      this.log.error('closing the state database failed', { error: (error as Error).message });
    }
    const server = this.server;
    if (server !== undefined) {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  }

  // ---- reload ----

  /** Runs one reload (§4); triggers arriving meanwhile schedule exactly one more. */
  private runReload(): Promise<LastReload> {
    if (this.reloading !== undefined) {
      this.reloadAgain = true;
      return new Promise((r) => this.reloadWaiters.push(r));
    }
    this.reloading = (async () => {
      this.metrics.reloads.inc();
      const errors: string[] = [];
      // 1. Source declaration files.
      let sourcesOk = true;
      if (this.config.sources.length > 0) {
        try {
          await loadSourceFiles(this.config.sources);
        } catch (error) {
          sourcesOk = false;
          errors.push(`sources: ${(error as Error).message}`);
        }
      }
      // 2. Rules (with sources fetched again).
      if (sourcesOk) errors.push(...(await this.reloadRulesStep('resolve')));
      // 3. Enrichment: the new pipeline replaces the old one (whose table watchers and connections close).
      if (this.config.enrichers !== undefined && this.enrichment !== undefined) {
        try {
          const next = await this.readEnrichers(this.config.enrichers);
          const previous = this.enrichment;
          this.enrichment = next;
          void previous.close();
        } catch (error) {
          errors.push(`${this.config.enrichers}: ${(error as Error).message}`);
        }
      }
      // 4. The alert pipeline.
      if (this.config.alertPipeline !== undefined && this.alertPipeline !== undefined) {
        try {
          const next = await this.readAlertPipeline(this.config.alertPipeline);
          next.install(this.alertState, this.alertPipeline);
          this.alertPipeline = next;
        } catch (error) {
          errors.push(`${this.config.alertPipeline}: ${(error as Error).message}`);
        }
      }
      if (errors.length > 0) {
        this.metrics.reloadsFailed.inc();
        this.log.error('reload failed; the previous configuration keeps running', { errors: errors.join('; ') });
      } else {
        const s = this.engine().stats();
        this.log.info('reloaded', { detection_rules: s.detectionRules, correlation_rules: s.correlationRules });
      }
      const result: LastReload = { at: new Date().toISOString(), ok: errors.length === 0, errors };
      this.lastReload = result;
      return result;
    })();
    const done = this.reloading;
    void done.then((result) => {
      this.reloading = undefined;
      if (this.reloadAgain) {
        this.reloadAgain = false;
        const waiters = this.reloadWaiters;
        this.reloadWaiters = [];
        void this.runReload().then((r) => waiters.forEach((w) => w(r)));
      } else {
        const waiters = this.reloadWaiters;
        this.reloadWaiters = [];
        waiters.forEach((w) => w(result));
      }
    });
    return done;
  }

  /** Step 2 of a reload: the rules swap; returns error messages (empty on success). */
  private async reloadRulesStep(mode: 'resolve' | 'latest'): Promise<string[]> {
    try {
      const stats =
        this.parallel !== undefined
          ? await this.parallel.reloadRules()
          : await (this.processor as LogProcessor).reloadRules({ sources: mode });
      if (stats.detectionRules + stats.correlationRules === 0) {
        // Accepted by the engine, but serving nothing would read as "all clear"; reported, not fatal.
        this.log.warn('the reloaded rule set is empty');
      }
      this.metrics.setRuleCounts(stats.detectionRules, stats.correlationRules);
      return [];
    } catch (error) {
      return [describeLoadError(error)];
    }
  }

  // ---- ApiBackend ----

  ready(): { status: number; body: unknown } {
    if (this.phase === 'shutting_down') return { status: 503, body: { status: 'shutting_down', rules_loaded: this.rulesLoaded } };
    if (!this.rulesLoaded) return { status: 503, body: { status: 'not_ready', rules_loaded: false } };
    return { status: 200, body: { status: 'ready', rules_loaded: true } };
  }

  status(): unknown {
    const loaded = this.processor !== undefined;
    const s = loaded ? this.engine().stats() : undefined;
    const body: Record<string, unknown> = {
      status: this.phase,
      version: VERSION,
      input: this.inputLabel(),
      detection_rules: s?.detectionRules ?? 0,
      correlation_rules: s?.correlationRules ?? 0,
      correlation_state_entries: s?.stateEntries ?? 0,
      events_processed: this.metrics.totals.eventsProcessed,
      detection_matches: this.metrics.totals.detectionMatches,
      correlation_matches: this.metrics.totals.correlationMatches,
      uptime_seconds: Math.floor((Date.now() - this.started) / 1000),
      last_reload: this.lastReload ?? null,
    };
    if (this.scheduler !== undefined) {
      const t = this.metrics.totals;
      body['dynamic_sources'] = {
        total: this.scheduler.status().length,
        resolves_total: t.sourceResolves,
        errors_total: t.sourceErrors,
        cache_hits: t.sourceCacheHits,
      };
    }
    return body;
  }

  rules(limit: number, offset: number): unknown {
    const engine = this.engine();
    const all = engine
      .listRules()
      .filter((r) => r.kind !== 'filter')
      .sort((a, b) => (a.path ?? '').localeCompare(b.path ?? '') || a.title.localeCompare(b.title));
    const s = engine.stats();
    return {
      detection_rules: s.detectionRules,
      correlation_rules: s.correlationRules,
      rules_path: this.config.rules,
      total: all.length,
      offset,
      limit,
      rules: all
        .slice(offset, offset + limit)
        .map((r) => ({ id: r.id, title: r.title, level: r.level, kind: r.kind, tags: r.tags, path: r.path })),
    };
  }

  async reload(wait: boolean): Promise<ApiReply> {
    if (!wait) {
      this.triggerReload('api');
      return { status: 202, body: { status: 'reload_triggered' } };
    }
    const result = await this.runReload();
    if (!result.ok) return { status: 422, body: { status: 'failed', errors: result.errors } };
    const s = this.engine().stats();
    return { status: 200, body: { status: 'ok', detection_rules: s.detectionRules, correlation_rules: s.correlationRules } };
  }

  correlations(): unknown {
    const snap = this.engine().introspectCorrelations();
    return { correlations: snap.correlations, count: snap.correlations.length };
  }

  correlationState(id: string | undefined, group: string | undefined): unknown {
    return this.engine().introspectCorrelations(id, group);
  }

  silences(method: 'GET' | 'POST' | 'DELETE', id: string | undefined, body: unknown): ApiReply {
    const pipeline = this.alertPipeline;
    if (pipeline === undefined) return { status: 503, body: { error: 'alert pipeline not configured' } };
    const now = nowSec();
    if (method === 'GET') {
      const list = this.alertState.silences.list(now);
      return { status: 200, body: { count: list.length, silences: list } };
    }
    if (method === 'POST') {
      if (body === null || typeof body !== 'object' || Array.isArray(body))
        return { status: 400, body: { error: 'the body must be a silence object' } };
      try {
        const silence = this.alertState.silences.add(body as SilenceSpec, 'api', pipeline.maxSilences, now);
        return { status: 201, body: { status: 'created', id: silence.id } };
      } catch (error) {
        if (error instanceof SilenceError) return { status: error.code === 'limit' ? 429 : 400, body: { error: error.message } };
        throw error;
      }
    }
    const outcome = this.alertState.silences.remove(id as string);
    if (outcome === 'removed') return { status: 200, body: { status: 'deleted', id } };
    if (outcome === 'static') return { status: 409, body: { error: `silence ${id} is static (defined in the config file)` } };
    return { status: 404, body: { error: `no silence ${id}` } };
  }

  incidents(id: string | undefined): ApiReply {
    const pipeline = this.alertPipeline;
    if (pipeline === undefined || !pipeline.groupsIncidents) return { status: 503, body: { error: 'incident grouping not configured' } };
    const list = pipeline.openIncidents(this.alertState);
    if (id === undefined) return { status: 200, body: { count: list.length, incidents: list } };
    const one = list.find((i) => i.incident_id === id);
    return one === undefined ? { status: 404, body: { error: `no incident ${id}` } } : { status: 200, body: one };
  }

  get ingestLines(): ((lines: string[]) => Promise<ApiReply>) | undefined {
    if (this.config.input.kind !== 'http') return undefined;
    return async (lines) => {
      const push = this.push;
      if (push === undefined || push.closed || this.phase !== 'running') return { status: 503, body: { error: 'not accepting events' } };
      const events: RawEvent[] = lines.map((payload, i) => ({ payload, ackToken: NOOP_ACK, origin: `http:${i + 1}` }));
      try {
        await push.push(events);
      } catch {
        return { status: 503, body: { error: 'shutting down' } };
      }
      return { status: 200, body: { accepted: events.length } };
    };
  }

  async ingestOtlp(body: Buffer, contentType: string | undefined, contentEncoding: string | undefined): Promise<ApiReply> {
    const m = this.metrics;
    let encoding: string;
    try {
      encoding = otlpEncodingOf(contentType);
    } catch (error) {
      m.otlpErrors.inc({ transport: 'http', reason: 'unsupported_content_type' });
      return { status: 415, body: { error: (error as Error).message } };
    }
    m.otlpRequests.inc({ transport: 'http', encoding });
    let events: RawEvent[];
    try {
      events = decodeOtlpLogs(body, contentType, contentEncoding);
    } catch (error) {
      if (error instanceof OtlpError) {
        const reason = error.code === 'decompression' ? 'decompression' : 'decode';
        m.otlpErrors.inc({ transport: 'http', reason });
        return { status: error.code === 'unsupported_content_type' ? 415 : 400, body: { error: error.message } };
      }
      throw error;
    }
    const push = this.push;
    if (push === undefined || push.closed || this.phase !== 'running') {
      m.otlpErrors.inc({ transport: 'http', reason: 'channel_closed' });
      return { status: 503, body: { error: 'not accepting events' } };
    }
    try {
      await push.push(events);
    } catch {
      m.otlpErrors.inc({ transport: 'http', reason: 'channel_closed' });
      return { status: 503, body: { error: 'shutting down' } };
    }
    m.otlpRecords.inc(events.length);
    return { status: 200, body: { partialSuccess: { rejectedLogRecords: 0, errorMessage: '' } } };
  }

  sources(): unknown {
    return { sources: this.scheduler?.status() ?? [] };
  }

  resolveSources(id: string | undefined): ApiReply {
    const scheduler = this.scheduler;
    if (scheduler === undefined) return { status: 404, body: { error: 'no dynamic sources configured' } };
    const outcome = scheduler.trigger(id === undefined ? { kind: 'all' } : { kind: 'single', id });
    if (outcome === 'unknown_source') return { status: 404, body: { error: `unknown source ${id}` } };
    if (outcome === 'already_pending') return { status: 429, body: { status: 'resolve_already_pending' } };
    return { status: 202, body: { status: 'resolve_triggered' } };
  }

  invalidateSource(id: string): ApiReply {
    this.sourceCache?.invalidate(id);
    return { status: 200, body: { status: 'invalidated', source_id: id } };
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : typeof error === 'string' ? error : JSON.stringify(error);
}

function nowSec(): number {
  return Math.floor(Date.now() / 1000);
}

function describeLoadError(error: unknown): string {
  if (error instanceof RuntimeError && error.code === 'rule_load') {
    const first = error.issues[0];
    if (first !== undefined) return describeRuleLoadError(first);
  }
  return error instanceof Error ? error.message : String(error);
}

/** A failed initial load: rules exit 2, pipelines and sources exit 3. */
function loadFailure(error: unknown): DaemonExit {
  if (error instanceof RuntimeError) {
    const code = error.code === 'rule_load' || error.code === 'io' ? 2 : 3;
    const key = code === 2 ? 'rules' : error.code === 'pipeline_load' ? 'pipelines' : 'sources';
    return new DaemonExit(code, `${key}: ${describeLoadError(error)}`);
  }
  return new DaemonExit(2, `rules: ${error instanceof Error ? error.message : String(error)}`);
}

/** Wraps a NATS source so every committed ack moves the stored source position forward. */
class PositionTrackingSource implements EventSource {
  constructor(
    private readonly inner: EventSource,
    private readonly onAcked: (p: SourcePosition) => void,
  ) {}

  private wrap(event: RawEvent): RawEvent {
    const token = event.ackToken;
    const onAcked = this.onAcked;
    const wrapped: AckToken = {
      ack: async () => {
        await token.ack();
        const p = token.position?.();
        if (p !== undefined) onAcked(p);
      },
      ...(token.nak === undefined ? {} : { nak: (d?: number) => (token.nak as (d?: number) => Promise<void>)(d) }),
      ...(token.position === undefined ? {} : { position: () => token.position?.() }),
    };
    return { ...event, ackToken: wrapped };
  }

  async recv(): Promise<RawEvent | null> {
    const e = await this.inner.recv();
    return e === null ? null : this.wrap(e);
  }

  async recvMany(max: number): Promise<RawEvent[] | null> {
    if (this.inner.recvMany === undefined) {
      const e = await this.recv();
      return e === null ? null : [e];
    }
    const events = await this.inner.recvMany(max);
    return events === null ? null : events.map((e) => this.wrap(e));
  }

  stopReceiving(): Promise<void> {
    return this.inner.stopReceiving?.() ?? this.inner.close();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
