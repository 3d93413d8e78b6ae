import { PassThrough } from 'node:stream';
import type { EvaluationResult, EventValue } from '@tsigma/eval';
import { RuntimeError } from '@tsigma/runtime';
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../cli-io.js';
import { openEvalOutput } from './eval-output.js';

function detection(title: string, value: EventValue): EvaluationResult {
  return {
    rule_title: title,
    rule_id: null,
    level: 'low',
    author: null,
    tags: [],
    matched_selections: ['sel'],
    matched_fields: [{ field: 'n', value }],
  };
}

/** A matched value nested deeper than JSON.stringify's stack can take. */
function deepValue(): EventValue {
  let value: EventValue = 1;
  for (let i = 0; i < 100_000; i++) value = { n: value };
  return value;
}

function memoryIo(): { io: CliIo; stdout: () => string } {
  let text = '';
  const out = {
    write: (chunk: string, callback?: (error?: Error | null) => void) => {
      text += chunk;
      callback?.();
      return true;
    },
  };
  return { io: { stdout: out, stderr: out, stdin: new PassThrough(), env: {} }, stdout: () => text };
}

describe('eval output views', () => {
  it('json: a result JSON cannot encode fails its send with an unserializable error; the others print as one array', async () => {
    const { io, stdout } = memoryIo();
    const output = openEvalOutput('json', io);
    const kept = [detection('a', 'x'), detection('c', { k: [1, 2] })];
    await output.sink.send([kept[0] as EvaluationResult]);
    await expect(output.sink.send([detection('b', 'fine'), detection('deep', deepValue())])).rejects.toMatchObject({
      code: 'unserializable',
      message: expect.stringContaining('result of rule "deep"') as unknown,
    });
    await output.sink.send([kept[1] as EvaluationResult]);
    await output.finish();
    expect(stdout()).toBe(JSON.stringify(kept, null, 2) + '\n');
  });

  it('json: no result is an empty array', async () => {
    const { io, stdout } = memoryIo();
    await openEvalOutput('json', io).finish();
    expect(stdout()).toBe('[]\n');
  });

  it('table: a deep value is rendered as far as the cut', async () => {
    const { io, stdout } = memoryIo();
    const output = openEvalOutput('table', io);
    await output.sink.send([detection('deep', deepValue())]);
    await output.finish();
    const row = stdout().split('\n')[1] ?? '';
    expect(row).toMatch(/^low +deep +detection +n=\{"n":\{"n":.*…$/);
    expect(row.slice(row.indexOf('n={'))).toHaveLength(200);
  });

  it('the unserializable error is the runtime error the dispatcher dead-letters without retrying', async () => {
    const { io } = memoryIo();
    const error: unknown = await openEvalOutput('ndjson', io)
      .sink.send([detection('deep', deepValue())])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RuntimeError);
    expect(error).toMatchObject({ code: 'unserializable' });
  });
});
