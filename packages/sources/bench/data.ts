// Data generators for the sources bench: feed files, the IOC list, and DNS events that hit or miss it.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A deterministic pseudo-random generator (xorshift32), so every run measures the same data. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}

/** `n` distinct domain-like IOCs of 8–40 characters. */
export function iocList(n: number): string[] {
  const r = rng(14);
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789-';
  const tlds = ['.com', '.net', '.org', '.io', '.ru', '.xyz'];
  const out = new Set<string>();
  while (out.size < n) {
    const len = 4 + Math.floor(r() * 30);
    let label = '';
    for (let i = 0; i < len; i++) label += alphabet[Math.floor(r() * (i === 0 ? 26 : alphabet.length))];
    out.add(label + (tlds[Math.floor(r() * tlds.length)] as string));
  }
  return [...out];
}

/** DNS events: every `hitEvery`-th queries a subdomain of a listed IOC, the rest benign names. */
export function dnsEvents(n: number, iocs: readonly string[], hitEvery: number): string[] {
  const r = rng(7);
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const name = i % hitEvery === 0 ? `cdn${i % 97}.${iocs[Math.floor(r() * iocs.length)]}` : `host-${i}.corp-${i % 311}.example.com`;
    lines.push(JSON.stringify({ QueryName: name, Image: 'C:\\Windows\\System32\\svchost.exe', EventID: 22 }));
  }
  return lines;
}

/** Writes `count` small JSON feed files into `dir`; returns their paths. */
export async function writeFeeds(dir: string, count: number): Promise<string[]> {
  const paths: string[] = [];
  for (let i = 0; i < count; i++) {
    const path = join(dir, `feed-${i}.json`);
    await writeFile(path, JSON.stringify({ ips: Array.from({ length: 50 }, (_, k) => `10.${i}.${k >> 8}.${k & 255}`) }));
    paths.push(path);
  }
  return paths;
}
