import { describe, expect, it } from 'vitest';
import { classifyAddress, isPublicAddress } from './address-classifier';

// Pure classification: nothing here opens a socket.
describe('classifyAddress', () => {
  it.each([
    ['10.0.0.1', 'private'],
    ['10.255.255.255', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.254', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['100.127.255.254', 'carrierGradeNat'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'broadcast'],
    ['192.0.2.1', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['198.51.100.7', 'reserved'],
    ['203.0.113.9', 'reserved'],
    ['192.0.0.8', 'reserved'],
  ])('refuses IPv4 %s (%s)', (address, range) => {
    expect(classifyAddress(address)).toEqual({ address, public: false, range });
  });

  it.each([
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fc00::1', 'uniqueLocal'],
    ['fd12:3456:789a::1', 'uniqueLocal'],
    ['fe80::1', 'linkLocal'],
    ['febf::1', 'linkLocal'],
    ['ff02::1', 'multicast'],
    ['fec0::1', 'deprecatedSiteLocal'],
    ['100::1', 'discard'],
    ['2001:db8::1', 'reserved'],
    ['2001:2::1', 'benchmarking'],
    ['64:ff9b:1::a00:1', 'rfc6052'],
  ])('refuses IPv6 %s (%s)', (address, range) => {
    expect(classifyAddress(address)).toMatchObject({ public: false, range });
  });

  it.each([
    ['::ffff:10.0.0.1', 'ipv4Mapped(private)'],
    ['::ffff:127.0.0.1', 'ipv4Mapped(loopback)'],
    ['::ffff:7f00:1', 'ipv4Mapped(loopback)'],
    ['::ffff:169.254.169.254', 'ipv4Mapped(linkLocal)'],
    ['::ffff:0:10.0.0.1', 'rfc6145(private)'],
    ['64:ff9b::10.0.0.1', 'rfc6052(private)'],
    ['64:ff9b::127.0.0.1', 'rfc6052(loopback)'],
    ['2002:0a00:0001::', '6to4(private)'],
    ['2002:7f00:0001::1', '6to4(loopback)'],
    ['::10.0.0.1', 'ipv4Compatible(private)'],
    ['::127.0.0.1', 'ipv4Compatible(loopback)'],
    // Teredo: server 65.54.227.120 (public), client 10.0.0.1 obfuscated as f5ff:fffe.
    ['2001:0:4136:e378:8000:63bf:f5ff:fffe', 'teredo(unicast,private)'],
  ])('refuses IPv6 %s that embeds a non-public IPv4 (%s)', (address, range) => {
    expect(classifyAddress(address)).toEqual({ address, public: false, range });
  });

  it.each([
    ['8.8.8.8', 'unicast'],
    ['1.1.1.1', 'unicast'],
    ['93.184.216.34', 'unicast'],
    ['172.32.0.1', 'unicast'],
    ['100.128.0.1', 'unicast'],
    ['2606:4700::1111', 'unicast'],
    ['2a00:1450:4001:81c::200e', 'unicast'],
    ['::ffff:8.8.8.8', 'ipv4Mapped(unicast)'],
    ['64:ff9b::8.8.8.8', 'rfc6052(unicast)'],
    ['2002:0808:0808::1', '6to4(unicast)'],
  ])('accepts public %s (%s)', (address, range) => {
    expect(classifyAddress(address)).toEqual({ address, public: true, range });
  });

  it('refuses IPv6 outside global unicast and zoned addresses', () => {
    expect(classifyAddress('4000::1')).toMatchObject({ public: false, range: 'unallocated' });
    expect(classifyAddress('fe80::1%eth0')).toMatchObject({ public: false, range: 'zoned' });
  });

  it('accepts bracketed IPv6 as URL hosts spell it', () => {
    expect(isPublicAddress('[::1]')).toBe(false);
    expect(isPublicAddress('[2606:4700::1111]')).toBe(true);
  });

  it('never calls a non-canonical or invalid spelling public', () => {
    // Resolvers and URL parsing hand us dotted quads; shorthand here means something went wrong upstream.
    for (const address of [
      '127.1',
      '2130706433',
      '0x7f000001',
      '0177.0.0.1',
      'localhost',
      '',
      'example.com',
      '1.2.3',
    ]) {
      expect(classifyAddress(address).public).toBe(false);
    }
  });
});
