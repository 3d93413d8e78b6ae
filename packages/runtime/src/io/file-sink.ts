// Sink appending results to a file as NDJSON (spec 05 §7), with an fsync policy for durability.
// Writes are serialized in call order; the file is opened lazily (created if missing) on the first write.

import { open, type FileHandle } from 'node:fs/promises';
import type { EvaluationResult } from '@tsigma/eval';
import { RuntimeError } from '../errors.js';
import type { Sink } from './io-types.js';
import { serializeResults } from './ndjson.js';

/** When a FileSink forces its data to disk: never (the OS decides), or after every `send`/`sendRaw`. */
export type FsyncPolicy = 'never' | 'every-batch';

/** Options of {@link FileSink}. */
export interface FileSinkOptions {
  /** Default `never`: each write reaches the kernel, which survives a process crash but not a power loss. */
  fsync?: FsyncPolicy;
}

/**
 * Appends one JSON line per result to `path` (created if missing). Each `send` is one `write` call, handed to
 * the kernel before it resolves, and with `fsync: 'every-batch'` also synced to disk.
 *
 * @example
 * const sink = new FileSink('/var/log/tsigma/alerts.ndjson', { fsync: 'every-batch' });
 */
export class FileSink implements Sink {
  readonly label: string;
  private readonly fsync: FsyncPolicy;
  private handle: Promise<FileHandle> | undefined;
  private tail: Promise<void> = Promise.resolve();
  private syncs = 0;

  constructor(
    readonly path: string,
    options: FileSinkOptions = {},
  ) {
    this.label = `file:${path}`;
    this.fsync = options.fsync ?? 'never';
  }

  /** Number of fsync calls made so far (observable durability, for tests and diagnostics). */
  get syncCount(): number {
    return this.syncs;
  }

  /** Rejects (writing nothing of the call) with an `unserializable` RuntimeError for a result JSON cannot encode. */
  async send(results: readonly EvaluationResult[]): Promise<void> {
    if (results.length === 0) return;
    await this.enqueue(serializeResults(results));
  }

  sendRaw(json: string): Promise<void> {
    return this.enqueue(json + '\n');
  }

  sendIncident(json: string): Promise<void> {
    return this.sendRaw(json);
  }

  /** Waits for queued writes, then closes the file. */
  async close(): Promise<void> {
    await this.tail.catch(() => undefined); // a failed write already rejected its own caller
    const h = this.handle;
    this.handle = undefined;
    if (h) await (await h).close();
  }

  private enqueue(text: string): Promise<void> {
    const run = this.tail.catch(() => undefined).then(() => this.write(text));
    this.tail = run;
    return run;
  }

  private async write(text: string): Promise<void> {
    try {
      this.handle ??= open(this.path, 'a');
      const h = await this.handle;
      await h.write(text);
      if (this.fsync === 'every-batch') {
        await h.sync();
        this.syncs++;
      }
    } catch (err) {
      this.handle = undefined;
      throw new RuntimeError('io', `append failed: ${(err as Error).message}`, this.label, { cause: err });
    }
  }
}
