import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, renderEffectiveConfig } from './config.js';

function file(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tsigmad-config-'));
  const path = join(dir, 'tsigmad.yml');
  writeFileSync(path, text);
  return path;
}

const errorOf = (f: () => unknown): ConfigError => {
  try {
    f();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('no error');
};

describe('loadConfig', () => {
  it('applies flags > listed env vars > file > defaults, resolving file paths against its directory', () => {
    const path = file('rules: rules/\nthroughput:\n  batch_size: 64\n  buffer_size: 500\nlog:\n  level: warn\n');
    const dir = join(path, '..');
    const c = loadConfig(['--config', path, '--batch-size', '32'], { TSIGMA_LOG: 'debug' });
    expect(c.rules).toBe(join(dir, 'rules'));
    expect(c.batchSize).toBe(32);
    expect(c.bufferSize).toBe(500);
    expect(c.logLevel).toBe('debug');
    expect(c.drainTimeoutMs).toBe(5000);
    expect(c.sinks).toEqual([{ kind: 'stdout', onFull: 'block', spec: 'stdout' }]);
  });

  it('caps the batch size at the buffer size and parses sinks', () => {
    const c = loadConfig(['-r', 'x', '--buffer-size', '2', '--output', 'stdout?on_full=drop', '--output', 'nats://127.0.0.1:4222/alerts']);
    expect(c.batchSize).toBe(2);
    expect(c.sinks.map((s) => [s.kind, s.onFull])).toEqual([
      ['stdout', 'drop'],
      ['nats', 'block'],
    ]);
  });

  it('names the key of every error', () => {
    expect(errorOf(() => loadConfig([])).key).toBe('rules');
    expect(errorOf(() => loadConfig(['-r', 'x', '--drain-timeout', 'soon'])).key).toBe('throughput.drain_timeout');
    expect(errorOf(() => loadConfig(['--config', file('rules: x\nthroughput:\n  batch_size: many\n')])).key).toBe('throughput.batch_size');
    expect(errorOf(() => loadConfig(['--config', file('rules: x\nbogus: 1\n')])).key).toBe('bogus');
    expect(errorOf(() => loadConfig(['-r', 'x', '--output', 'stdout?flush=1'])).key).toBe('output');
    expect(errorOf(() => loadConfig(['-r', 'x', '--jq', '.a', '--jsonpath', '$.a'])).key).toBe('jq');
    expect(errorOf(() => loadConfig(['-r', 'x', '--api-token-env', 'NOPE'], {})).key).toBe('api-token-env');
    expect(errorOf(() => loadConfig(['-r', 'x', '--input', 'nats://h:4222/a', '--replay-from-start', '--replay-from-latest'])).key).toBe(
      'replay-from-start',
    );
    expect(errorOf(() => loadConfig(['-r', 'x', '--frobnicate'])).key).toBe('--frobnicate');
  });

  it('redacts secrets in --dry-run output', () => {
    const c = loadConfig(['-r', 'x', '--nats-password', 'pw', '--nats-user', 'u', '--dry-run'], { NATS_TOKEN: 'tok' });
    const yaml = renderEffectiveConfig(c);
    expect(yaml).not.toMatch(/: pw$/m);
    expect(yaml).not.toMatch(/: tok$/m);
    expect(yaml).toContain('<redacted>');
    expect(c.dryRun).toBe(true);
  });
});
