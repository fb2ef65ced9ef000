import proxyAddr from '@fastify/proxy-addr';
import type { IncomingMessage } from 'node:http';
import ipaddr from 'ipaddr.js';

/** Range names @fastify/proxy-addr understands besides addresses and CIDRs. */
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * TRUST_PROXY as Fastify's `trustProxy` option: `false` (the default: the client IP is the socket's peer and
 * X-Forwarded-For is ignored), `true` (believe X-Forwarded-For from anyone: only behind a proxy that overwrites it), or
 * a comma list of the proxies to believe (addresses, CIDRs, or `loopback`, `linklocal`, `uniquelocal`). Hop counts are
 * not offered: this Fastify trusts nothing for a number, since a count cannot check the immediate peer.
 */
export function parseTrustProxy(value: string): boolean | string[] {
  const trimmed = value.trim().toLowerCase();
  if (trimmed === '' || trimmed === 'false') return false;
  if (trimmed === 'true') return true;
  const entries = trimmed.split(',').map((entry) => entry.trim());
  const bad = entries.filter((entry) => !NAMED_RANGES.has(entry) && !isAddressOrCidr(entry));
  if (bad.length > 0)
    throw new Error(
      `TRUST_PROXY must be true, false, or a comma list of proxy addresses/CIDRs (or loopback, linklocal, uniquelocal); not ${bad.join(', ')}`,
    );
  return entries;
}

/** Dotted-quad IPv4 or IPv6, with an optional prefix length (ipaddr.js alone would take `2` for 0.0.0.2). */
function isAddressOrCidr(entry: string): boolean {
  const [address, prefix, ...rest] = entry.split('/');
  if (rest.length > 0) return false;
  const v4 = ipaddr.IPv4.isValidFourPartDecimal(address);
  if (!v4 && !ipaddr.IPv6.isValid(address)) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (v4 ? 32 : 128));
}

/**
 * The client address of a request Fastify never routes (a WebSocket upgrade), by the same rule Fastify applies to
 * `request.ip` with the same TRUST_PROXY (Fastify uses @fastify/proxy-addr too).
 */
export function clientAddressOf(request: IncomingMessage, trust: boolean | string[]): string {
  if (trust === false) return request.socket.remoteAddress ?? '';
  return proxyAddr(request, trust === true ? () => true : proxyAddr.compile(trust));
}
