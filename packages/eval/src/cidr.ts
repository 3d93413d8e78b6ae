// IP networks for the `cidr` modifier (spec 02 §5): parses IPv4/IPv6 networks and addresses and tests
// membership. Addresses are compared as 16-bit groups; no DNS, no zone ids.

/** A parsed network: address family, network address groups and prefix length. */
export interface CidrNetwork {
  family: 4 | 6;
  groups: Uint16Array;
  prefix: number;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const IPV6_CHARS = /^[0-9A-Fa-f:.]+$/;

/** Parses `a.b.c.d/n` or an IPv6 network; a bare address is a host network. Returns null when invalid. */
export function parseCidr(text: string): CidrNetwork | null {
  const slash = text.indexOf('/');
  const addrText = slash < 0 ? text : text.slice(0, slash);
  const addr = parseIp(addrText.trim());
  if (addr === null) return null;
  const max = addr.family === 4 ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const p = text.slice(slash + 1).trim();
    if (!/^\d{1,3}$/.test(p)) return null;
    prefix = Number(p);
    if (prefix > max) return null;
  }
  return { family: addr.family, groups: addr.groups, prefix };
}

/** Parses an IPv4 (as two 16-bit groups) or IPv6 address (eight groups). */
function parseIp(text: string): { family: 4 | 6; groups: Uint16Array } | null {
  const v4 = parseIpv4(text);
  if (v4 !== null) return { family: 4, groups: v4 };
  const v6 = parseIpv6(text);
  return v6 === null ? null : { family: 6, groups: v6 };
}

function parseIpv4(text: string): Uint16Array | null {
  const m = IPV4.exec(text);
  if (m === null) return null;
  const b = [m[1], m[2], m[3], m[4]].map(Number) as [number, number, number, number];
  if (b.some((x) => x > 255)) return null;
  return Uint16Array.of((b[0] << 8) | b[1], (b[2] << 8) | b[3]);
}

function parseIpv6(text: string): Uint16Array | null {
  if (!IPV6_CHARS.test(text) || text.indexOf(':') < 0) return null;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const parseHalf = (h: string): number[] | null => {
    if (h === '') return [];
    const out: number[] = [];
    const parts = h.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i] as string;
      if (i === parts.length - 1 && p.indexOf('.') >= 0) {
        const v4 = parseIpv4(p);
        if (v4 === null) return null;
        out.push(v4[0] as number, v4[1] as number);
      } else {
        if (!/^[0-9A-Fa-f]{1,4}$/.test(p)) return null;
        out.push(parseInt(p, 16));
      }
    }
    return out;
  };
  const head = parseHalf(halves[0] as string);
  const tail = halves.length === 2 ? parseHalf(halves[1] as string) : [];
  if (head === null || tail === null) return null;
  if (halves.length === 1 && head.length !== 8) return null;
  if (halves.length === 2 && head.length + tail.length > 7) return null;
  const groups = new Uint16Array(8);
  groups.set(head, 0);
  groups.set(tail, 8 - tail.length);
  return groups;
}

// One-entry memo: a rule lists many networks and tests the same address against each in turn.
let lastText: string | undefined;
let lastAddr: { family: 4 | 6; groups: Uint16Array } | null = null;

/** True when `text` is an address of the network's family inside it. */
export function cidrContains(net: CidrNetwork, text: string): boolean {
  if (text !== lastText) {
    lastText = text;
    lastAddr = parseIp(text);
  }
  const addr = lastAddr;
  if (addr === null || addr.family !== net.family) return false;
  let bits = net.prefix;
  for (let i = 0; bits > 0; i++, bits -= 16) {
    const mask = bits >= 16 ? 0xffff : (0xffff << (16 - bits)) & 0xffff;
    if (((addr.groups[i] as number) & mask) !== ((net.groups[i] as number) & mask)) return false;
  }
  return true;
}
