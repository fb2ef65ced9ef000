import ipaddr from 'ipaddr.js';

/** The verdict on one IP address: `public` addresses may be fetched; every other range is refused. */
export interface AddressClass {
  readonly address: string;
  readonly public: boolean;
  /** The ipaddr.js range name (`loopback`, `private`, `uniqueLocal`...), with the embedded IPv4's range appended for
   * translation forms, e.g. `ipv4Mapped(loopback)`. Logged when a fetch is refused. */
  readonly range: string;
}

// 2000::/3 is the only IPv6 block IANA hands out as global unicast; ipaddr.js calls everything outside its special
// list `unicast`, including unallocated space and the deprecated IPv4-compatible ::a.b.c.d form, so we narrow it.
const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR('2000::/3');
// Deprecated IPv4-compatible addresses (::a.b.c.d, RFC 4291 §2.5.5.1); some stacks still route them as IPv4.
const IPV4_COMPATIBLE_V6 = ipaddr.IPv6.parseCIDR('::/96');
// RFC 6052 well-known NAT64 prefix: the last 32 bits are the IPv4 address the gateway connects to.
const NAT64_WELL_KNOWN = ipaddr.IPv6.parseCIDR('64:ff9b::/96');

/**
 * Classifies an IP address for SSRF protection without connecting anywhere.
 *
 * Public means: IPv4 `unicast` as ipaddr.js sees it (so not loopback, private, link-local, CGNAT, multicast,
 * unspecified/0.0.0.0/8, broadcast, reserved/240.0.0.0/4, documentation, benchmarking 198.18.0.0/15, AS112, AMT),
 * or IPv6 global unicast (2000::/3) outside every special range. IPv6 forms that carry an IPv4 address the packet
 * is really delivered to (IPv4-mapped, IPv4-translated, NAT64 64:ff9b::/96, 6to4, Teredo) are judged by that IPv4
 * address; for Teredo both the server and the (obfuscated) client address must be public.
 * Zoned addresses (fe80::1%eth0) are link scope, and anything that does not parse is not public.
 */
export function classifyAddress(address: string): AddressClass {
  const text = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    // `isValid` + `parse` rather than `process`: we must not accept the classful shorthand ipaddr.js would parse
    // differently from the resolver; strict four-part decimal IPv4 or a valid IPv6 only.
    if (ipaddr.IPv4.isValidFourPartDecimal(text)) parsed = ipaddr.IPv4.parse(text);
    else if (text.includes('%')) return { address, public: false, range: 'zoned' };
    else if (ipaddr.IPv6.isValid(text)) parsed = ipaddr.IPv6.parse(hexIPv6(text));
    else return { address, public: false, range: 'invalid' };
  } catch {
    return { address, public: false, range: 'invalid' };
  }
  return parsed.kind() === 'ipv4'
    ? classifyV4(address, parsed as ipaddr.IPv4)
    : classifyV6(address, parsed as ipaddr.IPv6);
}

/** Shorthand for {@link classifyAddress}`(address).public`. */
export function isPublicAddress(address: string): boolean {
  return classifyAddress(address).public;
}

function classifyV4(address: string, ip: ipaddr.IPv4): AddressClass {
  const range = ip.range();
  return { address, public: range === 'unicast', range };
}

function classifyV6(address: string, ip: ipaddr.IPv6): AddressClass {
  const range = ip.range() as string;
  switch (range) {
    case 'ipv4Mapped':
    case 'rfc6145':
      return embedded(address, range, v4FromBits(ip.parts[6], ip.parts[7]));
    case 'rfc6052':
      // Only the well-known /96 has a fixed place for the IPv4 address; the local-use 64:ff9b:1::/48 (RFC 8215)
      // leads into someone's private NAT64 and is refused outright.
      return ip.match(NAT64_WELL_KNOWN)
        ? embedded(address, range, v4FromBits(ip.parts[6], ip.parts[7]))
        : { address, public: false, range };
    case '6to4':
      return embedded(address, range, v4FromBits(ip.parts[1], ip.parts[2]));
    case 'teredo': {
      const server = v4FromBits(ip.parts[2], ip.parts[3]);
      const client = v4FromBits(ip.parts[6] ^ 0xffff, ip.parts[7] ^ 0xffff);
      const serverClass = classifyV4(server.toString(), server);
      const clientClass = classifyV4(client.toString(), client);
      return {
        address,
        public: serverClass.public && clientClass.public,
        range: `teredo(${serverClass.range},${clientClass.range})`,
      };
    }
    case 'unicast':
      if (ip.match(IPV4_COMPATIBLE_V6)) {
        return embedded(address, 'ipv4Compatible', v4FromBits(ip.parts[6], ip.parts[7]));
      }
      return {
        address,
        public: ip.match(GLOBAL_UNICAST_V6),
        range: ip.match(GLOBAL_UNICAST_V6) ? range : 'unallocated',
      };
    default:
      return { address, public: false, range };
  }
}

/**
 * ipaddr.js (2.x) parses the dotted tail of every IPv6 address as IPv4-mapped, so `::10.0.0.1` (IPv4-compatible,
 * ::a00:1) would come out as `::ffff:a00:1`. WHATWG URL parsing gets it right; we let it rewrite the tail in hex.
 */
function hexIPv6(text: string): string {
  if (!text.includes('.')) return text;
  return new URL(`http://[${text}]/`).hostname.slice(1, -1);
}

function embedded(address: string, range: string, v4: ipaddr.IPv4): AddressClass {
  const inner = classifyV4(v4.toString(), v4);
  return { address, public: inner.public, range: `${range}(${inner.range})` };
}

function v4FromBits(high: number, low: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([(high >> 8) & 0xff, high & 0xff, (low >> 8) & 0xff, low & 0xff]);
}
