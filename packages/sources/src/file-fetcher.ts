// `file` sources: read a local file whole, bounded by the local file size limit (spec 09 §7).

import { readFile, stat } from 'node:fs/promises';
import type { DynamicSource } from './declarations.js';
import { SourceError } from './errors.js';
import type { SourceFetcher } from './fetcher.js';
import { decodeUtf8 } from './format.js';
import { MAX_FILE_BYTES } from './limits.js';

/** Reads `path` as UTF-8; unreadable → `fetch` (path in the message), over 64 MiB → `resource_limit`. */
export const fileFetcher: SourceFetcher = {
  async fetch(src: DynamicSource): Promise<string> {
    const path = src.path as string;
    try {
      const info = await stat(path);
      if (info.size > MAX_FILE_BYTES) {
        throw new SourceError('resource_limit', src.id, `file ${path} has ${info.size} bytes, more than the limit of ${MAX_FILE_BYTES}`);
      }
      return decodeUtf8(await readFile(path), src.id);
    } catch (err) {
      if (err instanceof SourceError) throw err;
      throw new SourceError('fetch', src.id, `cannot read file ${path}: ${(err as Error).message}`, { cause: err });
    }
  },
};
