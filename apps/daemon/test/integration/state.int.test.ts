// Spec 10 §10 tests 3, 7 and 10: correlation state across a SIGTERM restart, introspection filters, and a tiny
// buffer with 1,000 stdin lines; plus the state database's lock and an unwritable database.
import Database from 'better-sqlite3';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { COUNT_RULES, runDaemonToExit, startDaemon, tempDir, waitFor, WHOAMI_RULE, writeTree, type Running } from '../helpers.js';

let daemon: Running | undefined;
afterEach(async () => {
  await daemon?.stop();
  daemon = undefined;
});

const failure = (ip: string, n: number): string =>
  JSON.stringify({ timestamp: `2026-11-22T08:0${n}:00Z`, event_type: 'login_failure', src_ip: ip, user: `u${n}` });

interface StateBody {
  groups: { got: number; met: boolean; group_key_display: string }[];
  count: number;
  correlations: unknown[];
}

describe('tsigmad state', () => {
  it('test 3: three of five event_count events survive a SIGTERM restart; two more fire the correlation', async () => {
    const rules = writeTree({ 'brute.yml': COUNT_RULES });
    const dir = tempDir();
    const db = join(dir, 'state.db');
    const out = join(dir, 'out.ndjson');
    const args = ['-r', rules, '--input', 'http', '--output', `file://${out}`, '--state-db', db];
    daemon = await startDaemon(args);
    await daemon.post('/api/v1/events', [1, 2, 3].map((n) => failure('10.0.0.7', n)).join('\n'));
    await waitFor(async () => (await daemon?.metric('tsigma_events_processed_total')) === 3);
    expect(await daemon.stop('SIGTERM')).toBe(0);
    expect(existsSync(`${db}.pid`)).toBe(false);

    daemon = await startDaemon(args);
    const state = (await daemon.get('/api/v1/correlations/state')).body as StateBody;
    expect(state.groups).toHaveLength(1);
    expect(state.groups[0]).toMatchObject({ got: 3, met: false });
    await daemon.post('/api/v1/events', [4, 5].map((n) => failure('10.0.0.7', n)).join('\n'));
    await waitFor(() => readFileSync(out, 'utf8').includes('"correlation_type":"event_count"'), 5000, 'the correlation');
  });

  it('test 10: ?id= and ?group= filter the correlation state', async () => {
    const rules = writeTree({ 'brute.yml': COUNT_RULES });
    daemon = await startDaemon(['-r', rules, '--input', 'http']);
    await daemon.post('/api/v1/events', [failure('10.0.0.7', 1), failure('10.0.0.8', 2), failure('10.0.0.8', 3)].join('\n'));
    await waitFor(async () => (await daemon?.metric('tsigma_events_processed_total')) === 3);
    const all = (await daemon.get('/api/v1/correlations/state')).body as StateBody;
    expect(all.groups).toHaveLength(2);
    const byGroup = (await daemon.get('/api/v1/correlations/state?group=10.0.0.8')).body as StateBody;
    expect(byGroup.groups).toHaveLength(1);
    expect(byGroup.groups[0]).toMatchObject({ got: 2, met: false });
    expect(((await daemon.get('/api/v1/correlations/state?id=brute_force')).body as StateBody).groups).toHaveLength(2);
    expect(((await daemon.get('/api/v1/correlations/state?id=nope')).body as StateBody).groups).toHaveLength(0);
    const list = (await daemon.get('/api/v1/correlations')).body as { count: number };
    expect(list.count).toBe(1);
  });

  it('test 7: --buffer-size 2 with 1,000 stdin lines → all processed, back-pressure counted, exit 0 at EOF', async () => {
    const rules = writeTree({ 'whoami.yml': WHOAMI_RULE });
    const out = join(tempDir(), 'out.ndjson');
    const lines = Array.from({ length: 1000 }, (_, i) => `{"Image":"C:\\\\w\\\\whoami.exe","n":${i}}`).join('\n') + '\n';
    // The daemon exits at EOF; its last counts are read from its log line.
    daemon = await startDaemon(['-r', rules, '--buffer-size', '2', '--output', `file://${out}`, '--log-level', 'debug'], {
      stdin: lines,
      waitReady: false,
    });
    const code = await daemon.exited;
    expect(code).toBe(0);
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(1000);
    const ended =
      daemon
        .stderr()
        .split('\n')
        .find((l) => l.includes('processing loop ended')) ?? '';
    expect(JSON.parse(ended)).toMatchObject({ received: 1000, processed: 1000, results: 1000 });
    expect((JSON.parse(ended) as { back_pressure_events: number }).back_pressure_events).toBeGreaterThan(0);
  });

  it('refuses a second daemon on the same state database (exit 3) and a file that is not SQLite', async () => {
    const rules = writeTree({ 'whoami.yml': WHOAMI_RULE });
    const dir = tempDir();
    const db = join(dir, 'state.db');
    daemon = await startDaemon(['-r', rules, '--state-db', db]);
    const second = await runDaemonToExit(['-r', rules, '--state-db', db, '--api-addr', '127.0.0.1:0']);
    expect(second.code).toBe(3);
    expect(second.stderr).toContain('in use by process');
    const junk = join(dir, 'junk.db');
    writeFileSync(junk, 'this is not a database, not at all'.repeat(100));
    const bad = await runDaemonToExit(['-r', rules, '--state-db', junk, '--api-addr', '127.0.0.1:0']);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain('state.db');
  });

  it('keeps detecting when a state save fails: error logged and counted', async () => {
    const rules = writeTree({ 'brute.yml': COUNT_RULES });
    const dir = tempDir();
    const db = join(dir, 'state.db');
    const out = join(dir, 'out.ndjson');
    daemon = await startDaemon([
      '-r',
      rules,
      '--input',
      'http',
      '--output',
      `file://${out}`,
      '--state-db',
      db,
      '--state-save-interval',
      '200ms',
    ]);
    await daemon.post('/api/v1/events', failure('10.0.0.9', 1));
    // Another writer breaks the database under the daemon (permissions would not stop root): every save now fails.
    const other = new Database(db);
    other.exec('DROP TABLE correlation_state');
    other.close();
    await waitFor(async () => ((await daemon?.metric('tsigma_state_save_errors_total')) ?? 0) > 0, 5000, 'a failed save');
    expect(daemon.stderr()).toContain('state save failed');
    await daemon.post('/api/v1/events', failure('10.0.0.9', 2));
    await waitFor(() => existsSync(out) && readFileSync(out, 'utf8').trim().split('\n').length === 2, 5000, 'detection goes on');
    expect((await daemon.get('/readyz')).status).toBe(200);
  });
});
