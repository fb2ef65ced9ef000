import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisKeys } from '../core/redis/redis-keys';
import { deleteKeysWithPrefix } from '../../test/support/test-app';
import { TEST_REDIS_URL, uniquePrefix } from '../../test/support/test-environment';
import { JobQuotaRepository } from './job-quota.repository';

describe('JobQuotaRepository: daily job reservations against the real Redis', () => {
  const redis = new Redis(TEST_REDIS_URL);
  const prefix = uniquePrefix();
  const keys = new RedisKeys(prefix);
  const quota = new JobQuotaRepository(redis, keys);
  afterAll(async () => {
    await deleteKeysWithPrefix(TEST_REDIS_URL, prefix);
    redis.disconnect();
  });

  it('grants exactly the limit even to concurrent reservations, per day', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => quota.reserve('k1', '2026-05-01', 4)));
    expect(results.filter((r) => r.granted)).toHaveLength(4);
    expect(results.filter((r) => !r.granted).every((r) => r.used === 4)).toBe(true);
    expect(await quota.used('k1', '2026-05-01')).toBe(4);
    expect(await quota.reserve('k1', '2026-05-02', 4)).toEqual({ granted: true, used: 1 });
    const ttl = await redis.ttl(keys.dailyJobs('k1', '2026-05-01'));
    expect(ttl).toBeGreaterThan(86_400);
  });

  it('refunds one at a time, never below zero and never creating a counter', async () => {
    await quota.reserve('k2', '2026-05-01', 2);
    await quota.reserve('k2', '2026-05-01', 2);
    await quota.refund('k2', '2026-05-01');
    expect(await quota.reserve('k2', '2026-05-01', 2)).toEqual({ granted: true, used: 2 });
    for (let i = 0; i < 3; i++) await quota.refund('k2', '2026-05-01');
    expect(await quota.used('k2', '2026-05-01')).toBe(0);
    await quota.refund('k3', '2026-05-01');
    expect(await redis.exists(keys.dailyJobs('k3', '2026-05-01'))).toBe(0);
  });

  it('counts without limiting when the limit is 0', async () => {
    for (let i = 0; i < 5; i++) expect((await quota.reserve('k4', '2026-05-01', 0)).granted).toBe(true);
    expect(await quota.used('k4', '2026-05-01')).toBe(5);
  });
});
