import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisKeys } from '../core/redis/redis-keys';
import { deleteKeysWithPrefix } from '../../test/support/test-app';
import { TEST_REDIS_URL, uniquePrefix } from '../../test/support/test-environment';
import { fingerprintOf } from './api-key-secret';
import { ApiKeyRepository } from './api-key.repository';

describe('ApiKeyRepository: key records against the real Redis', () => {
  const redis = new Redis(TEST_REDIS_URL);
  const prefix = uniquePrefix();
  const keys = new RedisKeys(prefix);
  const repository = new ApiKeyRepository(redis, keys);
  afterAll(async () => {
    await deleteKeysWithPrefix(TEST_REDIS_URL, prefix);
    redis.disconnect();
  });

  it('stores the record under the id derived from the secret, with its SHA-256 and never the secret', async () => {
    const { record, secret } = await repository.create(
      { name: 'a', rpm: 5, dailyJobs: 0, cache: 'private' },
      new Date('2026-05-01T10:00:00Z'),
    );
    const { id, secretSha256 } = fingerprintOf(secret);
    expect(record).toEqual({
      id,
      name: 'a',
      rpm: 5,
      dailyJobs: 0,
      cache: 'private',
      createdAt: '2026-05-01T10:00:00.000Z',
      revokedAt: null,
    });
    const stored = await redis.hgetall(keys.apiKey(id));
    expect(stored).toEqual({
      id,
      name: 'a',
      secret_sha256: secretSha256,
      cache: 'private',
      rpm: '5',
      daily_jobs: '0',
      created_at: '2026-05-01T10:00:00.000Z',
    });
    expect(JSON.stringify(stored)).not.toContain(secret.slice(3));
    expect(await repository.find(id)).toEqual(record);
    expect(await repository.find('0000000000000000')).toBeNull();
  });

  it('leaves limits unset when not given (the environment defaults apply) and lists keys oldest first', async () => {
    const first = await repository.create({ name: 'first' }, new Date('2026-05-02T00:00:00Z'));
    const second = await repository.create({ name: 'second' }, new Date('2026-05-03T00:00:00Z'));
    expect(first.record).toMatchObject({ rpm: null, dailyJobs: null, cache: 'shared' });
    const listed = await repository.list();
    expect(listed.map((record) => record.name)).toEqual(['a', 'first', 'second']);
    expect(listed[2]).toEqual(second.record);
  });

  it('revokes once, says so the second time, and knows no unknown id', async () => {
    const { record } = await repository.create({ name: 'gone' });
    expect(await repository.revoke(record.id, new Date('2026-05-04T00:00:00Z'))).toEqual({
      status: 'revoked',
      revokedAt: '2026-05-04T00:00:00.000Z',
    });
    expect(await repository.revoke(record.id, new Date('2026-05-05T00:00:00Z'))).toEqual({
      status: 'already-revoked',
      revokedAt: '2026-05-04T00:00:00.000Z',
    });
    expect(await repository.revoke('ffffffffffffffff')).toEqual({ status: 'unknown' });
    expect(await redis.exists(keys.apiKey('ffffffffffffffff'))).toBe(0);
    expect((await repository.find(record.id))?.revokedAt).toBe('2026-05-04T00:00:00.000Z');
  });
});
