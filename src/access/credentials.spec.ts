import { describe, expect, it } from 'vitest';
import { ProblemException } from '../core/http/problem-details';
import { fingerprintOf, generateApiKeySecret } from './api-key-secret';
import { apiKeyFromHeaders } from './credentials';

function refusal(headers: Record<string, string>): string {
  try {
    apiKeyFromHeaders(headers);
  } catch (error) {
    expect(error).toBeInstanceOf(ProblemException);
    const { problem, headers: extra } = error as ProblemException;
    expect(problem).toMatchObject({ status: 401, title: 'Unauthorized', type: 'about:blank' });
    expect(extra['www-authenticate']).toMatch(/^Bearer/);
    return problem.detail;
  }
  throw new Error('expected a 401');
}

describe('apiKeyFromHeaders', () => {
  const key = generateApiKeySecret();

  it('reads the key from Authorization: Bearer (any case, extra spaces) or x-api-key', () => {
    expect(apiKeyFromHeaders({ authorization: `Bearer ${key}` })).toEqual(fingerprintOf(key));
    expect(apiKeyFromHeaders({ authorization: `bearer   ${key}` })).toEqual(fingerprintOf(key));
    expect(apiKeyFromHeaders({ 'x-api-key': ` ${key} ` })).toEqual(fingerprintOf(key));
    expect(apiKeyFromHeaders({ authorization: `Bearer ${key}`, 'x-api-key': key })).toEqual(
      fingerprintOf(key),
    );
  });

  it('derives the id from the hash of the key: 16 hex digits, the start of the stored SHA-256', () => {
    const { id, secretSha256 } = fingerprintOf(key);
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(secretSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(secretSha256.startsWith(id)).toBe(true);
    expect(key).toMatch(/^sk_[A-Za-z0-9_-]{43}$/);
  });

  it('refuses missing, malformed, over-long and conflicting credentials with a 401 that says what to fix', () => {
    expect(refusal({})).toMatch(/API key is required/);
    expect(refusal({ authorization: `Basic ${key}` })).toMatch(/must be `Bearer <key>`/);
    expect(refusal({ authorization: 'Bearer' })).toMatch(/must be `Bearer <key>`/);
    expect(refusal({ authorization: `Bearer ${key} extra` })).toMatch(/must be `Bearer <key>`/);
    expect(refusal({ authorization: `Bearer ${'a'.repeat(300)}` })).toMatch(/too long/);
    expect(refusal({ 'x-api-key': 'x'.repeat(300) })).toMatch(/too long/);
    expect(refusal({ 'x-api-key': 'sk_short' })).toMatch(/Malformed API key/);
    expect(refusal({ 'x-api-key': `sk_${'a'.repeat(129)}` })).toMatch(/Malformed API key/);
    expect(refusal({ 'x-api-key': key.replace('sk_', 'pk_') })).toMatch(/Malformed API key/);
    expect(refusal({ 'x-api-key': `${key.slice(0, -1)}!` })).toMatch(/Malformed API key/);
    expect(refusal({ 'x-api-key': `${key}, ${key}` })).toMatch(/Malformed API key/);
    expect(refusal({ authorization: `Bearer ${key}`, 'x-api-key': generateApiKeySecret() })).toMatch(
      /different keys/,
    );
  });
});
