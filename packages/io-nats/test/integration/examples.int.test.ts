// Runs examples/source-to-sink.ts (a README snippet) against a real nats-server: it reads the events it
// published, and its detection arrives on the output subject.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { NatsSource } from '../../src/index.js';
import { RULE_WHOAMI, writeRules } from '../helpers/fixtures.js';
import { useNatsServer } from '../helpers/harness.js';
import { natsServerAvailable, recvWithin } from '../helpers/nats-server.js';

const run = natsServerAvailable();
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

describe.skipIf(!run)('examples/source-to-sink.ts', () => {
  const nats = useNatsServer();
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('detects on the input subject and publishes to the output subject', async () => {
    const rules = await writeRules({ 'whoami.yml': RULE_WHOAMI });
    nats.onCleanup(() => rules.remove());
    vi.stubEnv('NATS_URL', nats.server.url);
    vi.stubEnv('TSIGMA_RULES', rules.dir);
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: unknown) => {
      lines.push(String(line));
    });
    // The example's clients log connects to stderr; keep the test output clean.
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);

    await import('../../examples/source-to-sink.js');
    vi.restoreAllMocks();

    expect(lines).toEqual(['nats:events.windows#1: 1 detection(s)', 'nats:events.windows#2: 0 detection(s)']);
    const out = await NatsSource.connect(nats.cfg, 'detections.windows', { kind: 'all' }, 'examples-check', { logger: quiet });
    nats.onCleanup(() => out.close());
    const msg = await recvWithin(out, 5000);
    expect((JSON.parse(msg?.payload ?? '{}') as { rule_title?: string }).rule_title).toBe('Detect Whoami Execution');
    expect(await recvWithin(out, 300)).toBeNull();
  });
});
