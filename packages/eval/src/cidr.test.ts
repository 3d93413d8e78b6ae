import { describe, expect, it } from 'vitest';
import { cidrContains, parseCidr } from './cidr.js';

describe('cidr', () => {
  it('matches IPv4 networks', () => {
    const net = parseCidr('10.0.0.0/8');
    expect(net).not.toBeNull();
    if (net === null) return;
    expect(cidrContains(net, '10.1.2.3')).toBe(true);
    expect(cidrContains(net, '11.1.2.3')).toBe(false);
    expect(cidrContains(net, '::ffff:10.1.2.3')).toBe(false);
    expect(cidrContains(net, 'not an ip')).toBe(false);
  });

  it('matches IPv6 networks', () => {
    const net = parseCidr('fe80::/10');
    if (net === null) throw new Error('parse');
    expect(cidrContains(net, 'fe80::1')).toBe(true);
    expect(cidrContains(net, 'FEBF:ffff::1')).toBe(true);
    expect(cidrContains(net, 'fec0::1')).toBe(false);
    expect(cidrContains(net, '10.0.0.1')).toBe(false);
    const v4mapped = parseCidr('::ffff:0:0/96');
    if (v4mapped === null) throw new Error('parse');
    expect(cidrContains(v4mapped, '::ffff:192.168.1.1')).toBe(true);
  });

  it('rejects invalid networks', () => {
    for (const t of ['10.0.0.0/33', '300.0.0.0/8', '1::2::3', 'abc', '10.0.0.0/x', '::/129']) expect(parseCidr(t), t).toBeNull();
    expect(parseCidr('192.168.1.7')?.prefix).toBe(32);
  });
});
