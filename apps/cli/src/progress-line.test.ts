import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TextOut } from './cli-io.js';
import { ProgressLine } from './progress-line.js';

function terminal(isTTY: boolean): TextOut & { text: string } {
  return {
    text: '',
    isTTY,
    write(s: string) {
      this.text += s;
      return true;
    },
  };
}

describe('ProgressLine', () => {
  afterEach(() => vi.useRealTimers());

  it('draws percentage, bytes, records and matches on a terminal after the first second, then erases itself', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] });
    const stderr = terminal(true);
    const line = new ProgressLine(stderr, 2, false);
    line.setInput({ index: 1, name: 'big.evtx', kind: 'evtx', progress: () => ({ bytesRead: 512 * 1024, totalBytes: 1024 * 1024 }) }, 1);
    line.events = 1500;
    line.matches = 3;
    vi.advanceTimersByTime(500);
    expect(stderr.text).toBe('');
    vi.advanceTimersByTime(750);
    expect(stderr.text).toContain('[2/2]  big.evtx  50%  512.0 KiB / 1.0 MiB  1,500 records');
    expect(stderr.text).toContain('3 matches');
    line.stop();
    expect(stderr.text.endsWith('\r\x1b[2K')).toBe(true);
  });

  it('never writes when stderr is not a terminal or output is quiet', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] });
    for (const [tty, quiet] of [
      [false, false],
      [true, true],
    ] as const) {
      const stderr = terminal(tty);
      const line = new ProgressLine(stderr, 1, quiet);
      line.setInput({ index: 0, name: 'x.log', kind: 'lines', progress: () => ({ bytesRead: 1, totalBytes: 2 }) }, 0);
      vi.advanceTimersByTime(5000);
      line.stop();
      expect(stderr.text).toBe('');
    }
  });
});
