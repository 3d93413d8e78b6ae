// Egress policy for outbound HTTP (spec 09 §7): which address classes a preset denies, an optional host allowlist,
// and an undici Agent that checks every address it connects to (resolved names and literal IPs, redirects included).

import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import { Agent, buildConnector } from 'undici';

/** The three presets of spec 09 §7. */
export type EgressPreset = 'default' | 'strict' | 'permissive';

/** A preset plus an optional allowlist (exact host or `*.suffix`); the allowlist restricts further when non-empty. */
export interface EgressPolicy {
  preset: EgressPreset;
  allowHosts?: readonly string[];
}

/** The policy used when none is configured. */
export const DEFAULT_EGRESS_POLICY: EgressPolicy = Object.freeze({ preset: 'default' });

/** Parses `--egress-policy`; undefined for anything but the three preset names. */
export function egressPresetNamed(name: string): EgressPreset | undefined {
  return name === 'default' || name === 'strict' || name === 'permissive' ? name : undefined;
}

type AddressClass = 'link-local' | 'cloud metadata' | 'loopback' | 'private' | 'multicast' | 'broadcast' | 'unspecified' | 'public';

function ipv4Octets(address: string): number[] | undefined {
  const parts = address.split('.');
  if (parts.length !== 4) return undefined;
  const octets = parts.map(Number);
  return octets.every((o) => Number.isInteger(o) && o >= 0 && o <= 255) ? octets : undefined;
}

/** Expands an IPv6 address to its eight 16-bit groups (an embedded dotted IPv4 tail is converted). */
function ipv6Groups(address: string): number[] | undefined {
  let text = address.toLowerCase();
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted !== null) {
    const o = ipv4Octets(dotted[1] as string);
    if (o === undefined) return undefined;
    text =
      text.slice(0, -(dotted[1] as string).length) +
      `${(((o[0] as number) << 8) | (o[1] as number)).toString(16)}:${(((o[2] as number) << 8) | (o[3] as number)).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - h.length - t.length;
  if (tail === undefined ? missing !== 0 : missing < 0) return undefined;
  const groups = [...h, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...t].map((g) => parseInt(g, 16));
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
}

function classifyV4(o: number[]): AddressClass {
  const [a, b] = o as [number, number, number, number];
  if (a === 169 && b === 254) return 'link-local';
  if (a === 127) return 'loopback';
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'private';
  if (a >= 224 && a <= 239) return 'multicast';
  if (o.every((x) => x === 255)) return 'broadcast';
  if (a === 0) return 'unspecified';
  return 'public';
}

/** The class of an IP address (IPv4-mapped IPv6 addresses follow the IPv4 rules). */
function classify(address: string): AddressClass {
  const v4 = ipv4Octets(address);
  if (v4 !== undefined) return classifyV4(v4);
  const g = ipv6Groups(address);
  if (g === undefined) return 'unspecified';
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) {
    return classifyV4([(g[6] as number) >> 8, (g[6] as number) & 0xff, (g[7] as number) >> 8, (g[7] as number) & 0xff]);
  }
  if (g[0] === 0xfd00 && g[1] === 0xec2 && g.slice(2, 7).every((x) => x === 0) && g[7] === 0x254) return 'cloud metadata';
  if (g.every((x) => x === 0)) return 'unspecified';
  if (g.slice(0, 7).every((x) => x === 0) && g[7] === 1) return 'loopback';
  if (((g[0] as number) & 0xffc0) === 0xfe80) return 'link-local';
  if (((g[0] as number) & 0xfe00) === 0xfc00) return 'private';
  if (((g[0] as number) & 0xff00) === 0xff00) return 'multicast';
  return 'public';
}

/**
 * Why `preset` denies connecting to `address` (`egress policy denied link-local address 169.254.169.254`), or
 * undefined when it is allowed.
 *
 * @example egressDenial('127.0.0.1', 'strict') // 'egress policy denied loopback address 127.0.0.1'
 */
export function egressDenial(address: string, preset: EgressPreset): string | undefined {
  if (preset === 'permissive') return undefined;
  const cls = classify(address);
  if (cls === 'public') return undefined;
  // `default` allows loopback and private networks (feeds often live next to the daemon); `strict` denies them too.
  if ((cls === 'loopback' || cls === 'private') && preset === 'default') return undefined;
  return `egress policy denied ${cls} address ${address}`;
}

/** Why the allowlist refuses `host`, or undefined (no allowlist, or a listed host). */
export function allowlistDenial(host: string, allow: readonly string[] | undefined): string | undefined {
  if (allow === undefined || allow.length === 0) return undefined;
  const h = host.toLowerCase();
  const ok = allow.some((entry) => {
    const e = entry.toLowerCase();
    return e.startsWith('*.') ? h.endsWith(e.slice(1)) : h === e;
  });
  return ok ? undefined : `egress policy denied host ${host} (not in the allowed hosts)`;
}

/** A `dns.lookup`-shaped resolver; tests may pass one that answers fixed addresses. */
export type LookupFn = (
  hostname: string,
  options: LookupOptions,
  callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
) => void;

/**
 * An undici Agent whose connector applies `policy` to every connection: host names through a checking DNS lookup,
 * literal IPs before connecting. Denials fail the request with the denial text as the error message.
 */
export function createEgressAgent(policy: EgressPolicy, lookup: LookupFn = dnsLookup): Agent {
  const checkedLookup = (hostname: string, options: LookupOptions, cb: Parameters<LookupFn>[2]): void => {
    lookup(hostname, options, (err, address, family) => {
      if (err !== null) return cb(err, address, family);
      const all = Array.isArray(address) ? address.map((a) => a.address) : [address];
      for (const a of all) {
        const why = egressDenial(a, policy.preset);
        if (why !== undefined) return cb(Object.assign(new Error(why), { code: 'EGRESS_DENIED' }), address, family);
      }
      cb(null, address, family);
    });
  };
  const base = buildConnector({ lookup: checkedLookup });
  const connect: buildConnector.connector = (opts, cb) => {
    const host = opts.hostname.replace(/^\[|\]$/g, '');
    const why = allowlistDenial(host, policy.allowHosts) ?? (isIP(host) !== 0 ? egressDenial(host, policy.preset) : undefined);
    if (why !== undefined) {
      cb(Object.assign(new Error(why), { code: 'EGRESS_DENIED' }), null);
      return;
    }
    base(opts, cb);
  };
  return new Agent({ connect });
}
