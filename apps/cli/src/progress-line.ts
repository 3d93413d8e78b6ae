// The single redrawn status line `eval` shows on a terminal (spec 11 §7): drawn only on a TTY,
// only after the run has lasted a second, at most every 250 ms, and erased before anything else is printed.
import type { TextOut } from './cli-io.js';
import type { InputInfo } from '@tsigma/runtime';

/** Nothing is drawn before the run has lasted this long, so short runs stay silent. */
const FIRST_DRAW_AFTER_MS = 1000;
/** Redraw interval: frequent enough to feel live, rare enough to cost nothing. */
const REDRAW_EVERY_MS = 250;

/** A status line on stderr; a no-op when stderr is not a terminal or output is quiet. */
export class ProgressLine {
  private readonly enabled: boolean;
  private readonly startedAt = performance.now();
  private timer: NodeJS.Timeout | undefined;
  private drawn = false;
  private input: InputInfo | undefined;
  private inputIndex = 0;
  events = 0;
  matches = 0;

  constructor(
    private readonly stderr: TextOut,
    private readonly inputCount: number,
    quiet: boolean,
  ) {
    this.enabled = stderr.isTTY === true && !quiet;
    if (this.enabled) {
      this.timer = setInterval(() => this.draw(), REDRAW_EVERY_MS);
      this.timer.unref();
    }
  }

  /** Switches the line to the input now being read. */
  setInput(input: InputInfo, index: number): void {
    this.input = input;
    this.inputIndex = index;
  }

  /** Erases the line so the next write starts on a clean row. */
  clear(): void {
    if (this.drawn) this.stderr.write('\r\x1b[2K');
    this.drawn = false;
  }

  /** Stops redrawing and erases the line. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.clear();
  }

  private draw(): void {
    const elapsedMs = performance.now() - this.startedAt;
    if (elapsedMs < FIRST_DRAW_AFTER_MS) return;
    const parts = [`[${this.inputIndex + 1}/${this.inputCount}]`, this.input?.name ?? ''];
    const progress = this.input?.progress();
    const total = progress?.totalBytes;
    if (progress && total) {
      const read = progress.bytesRead;
      parts.push(`${Math.min(100, Math.floor((read / total) * 100))}%`, `${formatBytes(read)} / ${formatBytes(total)}`);
    }
    const rate = Math.round(this.events / (elapsedMs / 1000));
    parts.push(
      `${this.events.toLocaleString('en-US')} ${this.input?.kind === 'evtx' ? 'records' : 'events'}`,
      `${rate.toLocaleString('en-US')} ev/s`,
      `${this.matches} matches`,
    );
    this.stderr.write(`\r\x1b[2K${parts.join('  ')}`);
    this.drawn = true;
  }
}

function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
