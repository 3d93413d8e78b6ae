import { describe, expect, it } from 'vitest';
import { allowlistDenial, egressDenial } from './egress.js';

describe('egressDenial (spec 09 §7)', () => {
  it.each([
    ['169.254.169.254', 'default', 'link-local'],
    ['fe80::1', 'default', 'link-local'],
    ['fd00:ec2::254', 'default', 'cloud metadata'],
    ['::ffff:169.254.169.254', 'default', 'link-local'],
    ['::ffff:a9fe:a9fe', 'default', 'link-local'],
    ['224.0.0.1', 'default', 'multicast'],
    ['255.255.255.255', 'default', 'broadcast'],
    ['0.0.0.0', 'default', 'unspecified'],
    ['::', 'default', 'unspecified'],
    ['127.0.0.1', 'strict', 'loopback'],
    ['::1', 'strict', 'loopback'],
    ['10.1.2.3', 'strict', 'private'],
    ['172.20.0.1', 'strict', 'private'],
    ['fc00::1', 'strict', 'private'],
  ] as const)('%s is denied under %s as %s', (address, preset, cls) => {
    expect(egressDenial(address, preset)).toBe(`egress policy denied ${cls} address ${address}`);
  });

  it.each([
    ['127.0.0.1', 'default'],
    ['192.168.1.1', 'default'],
    ['::ffff:10.0.0.1', 'default'],
    ['8.8.8.8', 'strict'],
    ['2001:db8::1', 'strict'],
    ['169.254.169.254', 'permissive'],
    ['fd00:ec2::254', 'permissive'],
  ] as const)('%s is allowed under %s', (address, preset) => {
    expect(egressDenial(address, preset)).toBeUndefined();
  });

  it('the allowlist admits exact hosts and *.suffix only', () => {
    expect(allowlistDenial('feeds.example.com', undefined)).toBeUndefined();
    expect(allowlistDenial('feeds.example.com', ['*.example.com'])).toBeUndefined();
    expect(allowlistDenial('api.other.com', ['feeds.example.com'])).toContain('api.other.com');
    expect(allowlistDenial('example.com.evil', ['*.example.com'])).toBeDefined();
  });
});
