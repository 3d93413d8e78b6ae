// The mutable half of the alert pipeline: every store the stages read and write. The AlertPipeline (immutable
// config) is swapped on reload while one AlertPipelineState lives for the whole process.

import { silentLogger, type Logger } from '@tsigma/eval';
import { DedupStore } from './dedup.js';
import { IncidentStore } from './grouping.js';
import { InhibitStore } from './inhibit.js';
import { SilenceStore } from './silence.js';

/** Options of {@link AlertPipelineState}. */
export interface AlertPipelineStateOptions {
  /** Ids of API silences and entity_graph incidents; default `crypto.randomUUID()`. Inject a counter in tests. */
  newId?: () => string;
  /** Where skipped snapshot entries, snapshot version mismatches and overwritten `incident_id`s are logged. */
  logger?: Logger;
}

/**
 * Active alerts, incidents, silences and inhibition sources. The admin API reads it between `process`/`tick` calls.
 *
 * @example
 * const state = new AlertPipelineState();
 * pipeline.install(state); // seeds the static silences
 */
export class AlertPipelineState {
  readonly dedup = new DedupStore();
  readonly incidents: IncidentStore;
  readonly silences: SilenceStore;
  readonly inhibit = new InhibitStore();
  readonly logger: Logger;

  constructor(options: AlertPipelineStateOptions = {}) {
    const newId = options.newId ?? (() => crypto.randomUUID());
    this.incidents = new IncidentStore(newId);
    this.silences = new SilenceStore(newId);
    this.logger = options.logger ?? silentLogger;
  }
}
