import { hash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  jobScopeFields,
  privateScope,
  sameScope,
  scopedInputHash,
  scopeOfJob,
  SHARED_SCOPE,
} from './cache-scope';

describe('cache scopes', () => {
  const shared = hash('sha256', 'an input');

  it('keeps the shared hash as it is, so existing cache entries and jobs stay valid', () => {
    expect(scopedInputHash(shared, SHARED_SCOPE)).toBe(shared);
  });

  it('gives every private scope its own hash of the same input, deterministic and unlike any other', () => {
    const a = scopedInputHash(shared, privateScope('aaaaaaaaaaaaaaaa'));
    const b = scopedInputHash(shared, privateScope('bbbbbbbbbbbbbbbb'));
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set([shared, a, b]).size).toBe(3);
    expect(scopedInputHash(shared, privateScope('aaaaaaaaaaaaaaaa'))).toBe(a);
    expect(scopedInputHash(hash('sha256', 'another input'), privateScope('aaaaaaaaaaaaaaaa'))).not.toBe(a);
  });

  it('round-trips a scope through job data (no owner = shared)', () => {
    const own = privateScope('aaaaaaaaaaaaaaaa');
    expect(scopeOfJob(jobScopeFields(own))).toEqual(own);
    expect(jobScopeFields(SHARED_SCOPE)).toEqual({});
    expect(scopeOfJob({})).toEqual(SHARED_SCOPE);
    expect(sameScope(own, privateScope('aaaaaaaaaaaaaaaa'))).toBe(true);
    expect(sameScope(own, privateScope('bbbbbbbbbbbbbbbb'))).toBe(false);
    expect(sameScope(own, SHARED_SCOPE)).toBe(false);
    expect(sameScope(SHARED_SCOPE, own)).toBe(false);
  });
});
