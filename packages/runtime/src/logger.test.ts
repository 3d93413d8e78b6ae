import { describe, expect, it } from 'vitest';
import { createStreamLogger } from './logger.js';

function capture(options: Omit<Parameters<typeof createStreamLogger>[0], 'write'>): {
  lines: string[];
  logger: ReturnType<typeof createStreamLogger>;
} {
  const lines: string[] = [];
  return { lines, logger: createStreamLogger({ ...options, write: (l) => lines.push(l) }) };
}

describe('createStreamLogger', () => {
  it('renders text lines as `tsigma: <level>: <message> key=value`, quoting values that need it', () => {
    const { lines, logger } = capture({ level: 'debug', format: 'text' });
    logger.warn('sink delivery failed', { sink: 'file:/x.ndjson', attempts: 4, ok: false, gone: undefined, why: 'disk full', empty: '' });
    logger.info('started');
    expect(lines).toEqual([
      'tsigma: warn: sink delivery failed sink=file:/x.ndjson attempts=4 ok=false why="disk full" empty=""',
      'tsigma: info: started',
    ]);
  });

  it('renders one JSON object per line; time only with an injected clock; reserved keys are not overwritten', () => {
    const { lines, logger } = capture({ level: 'info', format: 'json', clock: () => Date.UTC(2025, 0, 2, 3, 4, 5) });
    logger.error('dead letter not written', { sink: 'dlq', results: 2, level: 'x', skip: undefined });
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([
      { level: 'error', msg: 'dead letter not written', time: '2025-01-02T03:04:05.000Z', sink: 'dlq', results: 2, 'field.level': 'x' },
    ]);
    const noClock = capture({ level: 'info', format: 'json' });
    noClock.logger.info('hello', { n: null });
    expect(noClock.lines).toEqual(['{"level":"info","msg":"hello","n":null}']);
  });

  it('drops entries below the configured level', () => {
    const { lines, logger } = capture({ level: 'warn', format: 'text' });
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(lines).toEqual(['tsigma: warn: w', 'tsigma: error: e']);
  });
});
