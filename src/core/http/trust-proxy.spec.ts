import { describe, expect, it } from 'vitest';
import { parseTrustProxy } from './trust-proxy';

describe('parseTrustProxy (TRUST_PROXY → Fastify trustProxy)', () => {
  it('reads true, false and lists of proxies', () => {
    expect(parseTrustProxy('false')).toBe(false);
    expect(parseTrustProxy('')).toBe(false);
    expect(parseTrustProxy(' TRUE ')).toBe(true);
    expect(parseTrustProxy('10.0.0.1, 10.1.0.0/16,loopback, ::1, fd00::/8')).toEqual([
      '10.0.0.1',
      '10.1.0.0/16',
      'loopback',
      '::1',
      'fd00::/8',
    ]);
  });

  it('refuses hop counts, names and malformed ranges, naming them', () => {
    expect(() => parseTrustProxy('2')).toThrow(/not 2/);
    expect(() => parseTrustProxy('proxy.internal')).toThrow(/proxy.internal/);
    expect(() => parseTrustProxy('10.0.0.0/33, 10.0.0.1')).toThrow(/not 10.0.0.0\/33$/);
  });
});
