// `-i DIR`: a directory named as an input stands for the log files under it, the way incident responders point a
// hunting tool at a collected triage folder. Only files whose extension says they hold events are taken (EVTX,
// JSON, NDJSON, JSON lines, plain logs); everything else a triage folder holds (registry hives, prefetch) is not.

import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { RuntimeError } from '../errors.js';
import type { EventInput } from './event-inputs.js';

/** Extensions of the files a directory input reads (case-insensitive). */
const DIRECTORY_INPUT_EXTENSIONS = ['.evtx', '.json', '.ndjson', '.jsonl', '.log'] as const;

/** A directory, or a part of one, that could not be listed: reported, and the rest is read. */
export interface UnreadableDirectory {
  path: string;
  message: string;
}

/**
 * Replaces each `file` input that is a directory by the event files under it (recursive, sorted by path, hidden
 * entries skipped), marked `optional`: one that cannot be opened later is reported and skipped instead of ending
 * the run. Other inputs pass through in place. A directory without any event file is an `io` error naming it.
 *
 * @example
 * const inputs = await expandInputDirectories([{ kind: 'file', path: 'triage/' }], (d) => console.warn(d.path, d.message));
 */
export async function expandInputDirectories(
  inputs: readonly EventInput[],
  onUnreadable: (problem: UnreadableDirectory) => void = () => undefined,
): Promise<EventInput[]> {
  const out: EventInput[] = [];
  for (const input of inputs) {
    if (input.kind !== 'file' || !(await isDirectory(input.path))) {
      out.push(input);
      continue;
    }
    const files: string[] = [];
    await collect(input.path, files, onUnreadable);
    if (files.length === 0) {
      throw new RuntimeError('io', `no event files (${DIRECTORY_INPUT_EXTENSIONS.join(', ')}) under this directory`, input.path);
    }
    files.sort();
    for (const path of files) out.push({ kind: 'file', path, optional: true });
  }
  return out;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    // Missing or unreadable: opening it as a file reports that with its own message.
    return false;
  }
}

async function collect(dir: string, files: string[], onUnreadable: (problem: UnreadableDirectory) => void): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    onUnreadable({ path: dir, message: `cannot list directory (${(err as NodeJS.ErrnoException).code ?? 'error'})` });
    return;
  }
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await collect(path, files, onUnreadable);
    else if (entry.isFile() && hasEventExtension(entry.name)) files.push(path);
  }
}

function hasEventExtension(name: string): boolean {
  const lower = name.toLowerCase();
  return DIRECTORY_INPUT_EXTENSIONS.some((ext) => lower.endsWith(ext));
}
