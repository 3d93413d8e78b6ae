// Reading the whole of standard input as text (for `parse -` and single-event inputs).
import type { Readable } from 'node:stream';

/** Collects a readable stream into one UTF-8 string. */
export async function readAllStdin(stdin: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
