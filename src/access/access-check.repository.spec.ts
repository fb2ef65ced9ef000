import { Redis } from 'ioredis';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { RedisKeys } from '../core/redis/redis-keys';
import { FakeClock } from '../../test/fakes/fake-clock';
import { deleteKeysWithPrefix } from '../../test/support/test-app';
import { TEST_REDIS_URL, uniquePrefix } from '../../test/support/test-environment';
import {
  AccessCheckRepository,
  RATE_BUCKET_MS,
  RATE_WINDOW_MS,
  type AccessCheck,
} from './access-check.repository';
import { fingerprintOf, generateApiKeySecret } from './api-key-secret';
import { ApiKeyRepository } from './api-key.repository';
import { toSeconds } from './rate-limit-headers';

/** A bucket boundary, so tests can place requests on either side of one. */
const T0 = Date.parse('2026-05-01T12:00:00.000Z');

describe('AccessCheckRepository: the access-check script against the real Redis', () => {
  const redis = new Redis(TEST_REDIS_URL, { enableAutoPipelining: true });
  const prefixes: string[] = [];
  let keys: RedisKeys;
  let clock: FakeClock;
  let prefix: string;

  const repository = (defaultRpm: number, defaultDailyJobs = 0) =>
    new AccessCheckRepository(redis, keys, clock, { defaultRpm, defaultDailyJobs });
  const ip = (address = '192.0.2.1'): AccessCheck => ({ kind: 'ip', address });
  const windowKey = (address = '192.0.2.1') => keys.rateLimit(`ip:${address}`);
  const accepted = async (repo: AccessCheckRepository, check: AccessCheck) =>
    (await repo.check(check)).status === 'allowed';

  beforeEach(() => {
    prefix = uniquePrefix();
    prefixes.push(prefix);
    keys = new RedisKeys(prefix);
    clock = new FakeClock(T0);
  });
  afterAll(async () => {
    for (const p of prefixes) await deleteKeysWithPrefix(TEST_REDIS_URL, p);
    redis.disconnect();
  });

  it('accepts exactly the limit, counts down remaining, and says when a retry passes', async () => {
    const repo = repository(5);
    const remaining: number[] = [];
    for (let i = 0; i < 5; i++) {
      clock.set(T0 + i * 1_000);
      const result = await repo.check(ip());
      expect(result.status).toBe('allowed');
      if (result.status === 'allowed') remaining.push(result.rate!.remaining);
    }
    expect(remaining).toEqual([4, 3, 2, 1, 0]);
    clock.set(T0 + 10_000);
    const refused = await repo.check(ip());
    expect(refused).toMatchObject({ status: 'limited', rate: { limit: 5, remaining: 0 } });
    // The first request's bucket stops counting one window and one bucket after it began: 50.1 s from now.
    if (refused.status === 'limited') expect(refused.rate!.retryMs).toBe(50_100);
    clock.set(T0 + RATE_WINDOW_MS + RATE_BUCKET_MS - 1);
    expect(await accepted(repo, ip())).toBe(false);
    clock.set(T0 + RATE_WINDOW_MS + RATE_BUCKET_MS);
    expect(await accepted(repo, ip())).toBe(true);
    expect(await accepted(repo, ip())).toBe(false);
  });

  it('reports 60.001-60.1 s for a request of this bucket (t and Retry-After 61 on a 60 s window), and that is the wait', async () => {
    // Not a rounding error: a bucket is counted whole until one window after it ENDS, or two requests 100 ms less
    // than a window apart could both pass. So a request stops counting 60.001-60.1 s after it was made, which rounds
    // up to 61 s; an answer of 60 would send the client back too early.
    const repo = repository(1);
    for (const [i, offset] of [0, 1, 50, RATE_BUCKET_MS - 1].entries()) {
      const client = ip(`192.0.2.${10 + i}`);
      clock.set(T0 + offset);
      const first = await repo.check(client);
      const second = await repo.check(client);
      if (first.status !== 'allowed' || second.status !== 'limited')
        throw new Error('expected allowed, limited');
      expect(first.rate!.resetMs).toBe(RATE_WINDOW_MS + RATE_BUCKET_MS - offset);
      expect(second.rate!.retryMs).toBe(RATE_WINDOW_MS + RATE_BUCKET_MS - offset);
      expect(toSeconds(second.rate!.retryMs)).toBe(61);
      clock.set(T0 + offset + RATE_WINDOW_MS);
      expect(await accepted(repo, client)).toBe(false);
      clock.set(T0 + offset + toSeconds(second.rate!.retryMs) * 1_000);
      expect(await accepted(repo, client)).toBe(true);
    }
  });

  it('slides: requests leave the window bucket by bucket, a window and a bucket after their bucket began', async () => {
    const repo = repository(5);
    for (let i = 0; i < 3; i++) expect(await accepted(repo, ip())).toBe(true);
    clock.set(T0 + 30_000);
    for (let i = 0; i < 2; i++) expect(await accepted(repo, ip())).toBe(true);
    clock.set(T0 + 60_099);
    expect(await accepted(repo, ip())).toBe(false);
    // The three of T0 leave; the two of T0+30s stay until T0+90.1s.
    clock.set(T0 + 60_100);
    const passed = [];
    for (let i = 0; i < 5; i++) passed.push(await accepted(repo, ip()));
    expect(passed).toEqual([true, true, true, false, false]);
    clock.set(T0 + 90_100);
    expect(await accepted(repo, ip())).toBe(true);
  });

  it('never holds more than the limit in any 60 s window, and refuses only within one bucket of the ideal', async () => {
    const repo = repository(20);
    // A seeded, bursty schedule over five minutes: 3,000 requests.
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    let t = T0;
    const acceptedAt: number[] = [];
    const refusedAt: number[] = [];
    for (let i = 0; i < 3_000; i++) {
      t += Math.floor(random() < 0.9 ? random() * 50 : random() * 2_000);
      clock.set(t);
      ((await accepted(repo, ip())) ? acceptedAt : refusedAt).push(t);
    }
    const inWindow = (end: number, length: number) =>
      acceptedAt.filter((at) => at > end - length && at <= end).length;
    for (const at of acceptedAt) expect(inWindow(at, RATE_WINDOW_MS)).toBeLessThanOrEqual(20);
    // A refusal means the limit was reached within the window plus at most one bucket.
    for (const at of refusedAt)
      expect(inWindow(at, RATE_WINDOW_MS + RATE_BUCKET_MS)).toBeGreaterThanOrEqual(20);
    expect(acceptedAt.length).toBeGreaterThan(20);
    expect(refusedAt.length).toBeGreaterThan(0);
  });

  it('keeps the same guarantees when many checks of one client share a script call', async () => {
    const repo = repository(25);
    let seed = 7;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    let t = T0;
    const acceptedAt: number[] = [];
    const refusedAt: number[] = [];
    for (let turn = 0; turn < 400; turn++) {
      t += Math.floor(random() < 0.8 ? random() * 300 : random() * 5_000);
      clock.set(t);
      // One event-loop turn: every check below goes out in one script call.
      const results = await Promise.all(
        Array.from({ length: 1 + Math.floor(random() * 12) }, () => repo.check(ip())),
      );
      for (const result of results) (result.status === 'allowed' ? acceptedAt : refusedAt).push(t);
    }
    const inWindow = (end: number, length: number) =>
      acceptedAt.filter((at) => at > end - length && at <= end).length;
    for (const at of acceptedAt) expect(inWindow(at, RATE_WINDOW_MS)).toBeLessThanOrEqual(25);
    for (const at of refusedAt)
      expect(inWindow(at, RATE_WINDOW_MS + RATE_BUCKET_MS)).toBeGreaterThanOrEqual(25);
    expect(refusedAt.length).toBeGreaterThan(0);
    // The stored count is the sum of the stored buckets.
    const fields = await redis.hgetall(windowKey());
    const buckets = Object.entries(fields).filter(([field]) => /^\d+$/.test(field));
    expect(buckets.reduce((sum, [, n]) => sum + Number(n), 0)).toBe(Number(fields.c));
  });

  it('gives a refused request of a call the retry time at which a request does pass', async () => {
    const repo = repository(4);
    clock.set(T0 + 500);
    await Promise.all([repo.check(ip()), repo.check(ip())]);
    clock.set(T0 + 20_000);
    const results = await Promise.all(Array.from({ length: 4 }, () => repo.check(ip())));
    expect(results.map((r) => r.status)).toEqual(['allowed', 'allowed', 'limited', 'limited']);
    const retryMs = results[3].status === 'limited' ? results[3].rate!.retryMs : NaN;
    expect(retryMs).toBe(40_600);
    clock.set(T0 + 20_000 + retryMs - 1);
    expect(await accepted(repo, ip())).toBe(false);
    clock.set(T0 + 20_000 + retryMs);
    expect(await accepted(repo, ip())).toBe(true);
  });

  it('keeps at most one field per 100 ms bucket whatever the limit and the traffic', async () => {
    const repo = repository(1_000_000);
    for (let i = 0; i < 3_000; i++) {
      clock.set(T0 + i * 40);
      await repo.check(ip());
    }
    // 120 s of traffic: only the buckets overlapping the last window (601) and the bookkeeping fields remain.
    expect(await redis.hlen(windowKey())).toBeLessThanOrEqual(601 + 5);
    // Requests every 40 ms: the 1,500 of the last 60 s and the two of the partly counted oldest bucket.
    expect(Number(await redis.hget(windowKey(), 'c'))).toBe(1_502);
  });

  it('stores the window as plain decimal integers, so windows written by another version stay readable', async () => {
    const repo = repository(10);
    const bucket = (T0 + 10_000) / RATE_BUCKET_MS;
    await redis.hset(windowKey(), String(bucket), '2', 'c', '2', 'o', String(bucket), 'n', String(bucket));
    clock.set(T0 + 10_050);
    expect(await repo.check(ip())).toMatchObject({ status: 'allowed', rate: { remaining: 7 } });
    clock.set(T0 + 12_345);
    expect(await repo.check(ip())).toMatchObject({ status: 'allowed', rate: { remaining: 6 } });
    const later = String((T0 + 12_300) / RATE_BUCKET_MS);
    expect(await redis.hgetall(windowKey())).toEqual({
      [String(bucket)]: '3',
      [later]: '1',
      c: '4',
      o: String(bucket),
      n: later,
    });
  });

  it('forgets a client after a whole window without requests (and the key expires)', async () => {
    const repo = repository(2);
    expect(await accepted(repo, ip())).toBe(true);
    expect(await accepted(repo, ip())).toBe(true);
    expect(await accepted(repo, ip())).toBe(false);
    const ttl = await redis.pttl(windowKey());
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(RATE_WINDOW_MS + RATE_BUCKET_MS);
    clock.set(T0 + 10 * RATE_WINDOW_MS);
    expect(await accepted(repo, ip())).toBe(true);
    expect(Number(await redis.hget(windowKey(), 'c'))).toBe(1);
  });

  it('counts a request from a process whose clock lags into the newest bucket, not into a dropped one', async () => {
    const repo = repository(3);
    clock.set(T0 + 70_000);
    expect(await accepted(repo, ip())).toBe(true);
    clock.set(T0 + 5_000); // 65 s behind
    expect(await accepted(repo, ip())).toBe(true);
    expect(await accepted(repo, ip())).toBe(true);
    expect(await accepted(repo, ip())).toBe(false);
    const fields = await redis.hgetall(windowKey());
    expect(fields[String((T0 + 70_000) / RATE_BUCKET_MS)]).toBe('3');
  });

  it('caches the retry time while refusing and drops it on the next acceptance', async () => {
    const repo = repository(2);
    await repo.check(ip());
    clock.set(T0 + 1_000);
    await repo.check(ip());
    clock.set(T0 + 2_000);
    const first = await repo.check(ip());
    clock.set(T0 + 3_000);
    const second = await repo.check(ip());
    if (first.status !== 'limited' || second.status !== 'limited') throw new Error('expected refusals');
    expect(first.rate!.retryMs).toBe(58_100);
    expect(second.rate!.retryMs).toBe(57_100);
    expect(await redis.hget(windowKey(), 'r')).toBe(String(T0 / RATE_BUCKET_MS));
    clock.set(T0 + RATE_WINDOW_MS + RATE_BUCKET_MS);
    expect(await accepted(repo, ip())).toBe(true);
    expect(await redis.hexists(windowKey(), 'r')).toBe(0);
  });

  it('checks a batch of one turn in order: 20 concurrent checks of one client against 7 → 7 accepted', async () => {
    const repo = repository(7);
    const results = await Promise.all(Array.from({ length: 20 }, () => repo.check(ip())));
    expect(results.map((r) => r.status)).toEqual([
      ...Array<string>(7).fill('allowed'),
      ...Array<string>(13).fill('limited'),
    ]);
    // Other clients have their own windows.
    expect(await accepted(repo, ip('192.0.2.2'))).toBe(true);
  });

  it('writes nothing for 0 (no limit)', async () => {
    const repo = repository(0);
    for (let i = 0; i < 10; i++)
      expect(await repo.check(ip())).toMatchObject({ status: 'allowed', rate: null });
    expect(await redis.exists(windowKey())).toBe(0);
  });

  describe('API keys', () => {
    const keyCheck = (secret: string): AccessCheck => ({ kind: 'key', ...fingerprintOf(secret) });
    const prefixKeys = async () => redis.keys(`${prefix}*`);

    it('refuses unknown keys, a wrong secret for a known id and revoked keys, writing nothing', async () => {
      const repo = repository(10);
      expect(await repo.check(keyCheck(generateApiKeySecret()))).toEqual({ status: 'unknown' });
      expect(await prefixKeys()).toEqual([]);

      const apiKeys = new ApiKeyRepository(redis, keys);
      const { record, secret } = await apiKeys.create({ name: 'a' });
      // Same id (as if the first 16 hex digits collided), different full hash.
      const forged: AccessCheck = { kind: 'key', id: record.id, secretSha256: 'f'.repeat(64) };
      expect(await repo.check(forged)).toEqual({ status: 'unknown' });
      expect(await repo.check(keyCheck(secret))).toMatchObject({ status: 'allowed' });
      await apiKeys.revoke(record.id);
      const before = (await prefixKeys()).sort();
      expect(await repo.check(keyCheck(secret))).toEqual({ status: 'revoked' });
      expect(await redis.hget(keys.rateLimit(`key:${record.id}`), 'c')).toBe('1');
      expect((await prefixKeys()).sort()).toEqual(before);
    });

    it('answers every check of a mixed call on its own: unknown, revoked, and two keys with their own windows', async () => {
      const repo = repository(2);
      const apiKeys = new ApiKeyRepository(redis, keys);
      const first = await apiKeys.create({ name: 'first' });
      const second = await apiKeys.create({ name: 'second', cache: 'private' });
      const gone = await apiKeys.create({ name: 'gone' });
      await apiKeys.revoke(gone.record.id);
      const checks = [first, second, first, gone, second, first, second].map((key) => keyCheck(key.secret));
      checks.splice(3, 0, keyCheck(generateApiKeySecret()));
      const results = await Promise.all(checks.map((check) => repo.check(check)));
      expect(results.map((r) => ('cache' in r ? `${r.status} ${r.cache}` : r.status))).toEqual([
        'allowed shared',
        'allowed private',
        'allowed shared',
        'unknown',
        'revoked',
        'allowed private',
        'limited shared',
        'limited private',
      ]);
    });

    it('uses the key’s own rpm and daily jobs over the defaults, 0 meaning none, and reports its scope', async () => {
      const repo = repository(2, 50);
      const apiKeys = new ApiKeyRepository(redis, keys);
      const own = await apiKeys.create({ name: 'own', rpm: 3, dailyJobs: 7, cache: 'private' });
      const defaults = await apiKeys.create({ name: 'defaults' });
      const unlimited = await apiKeys.create({ name: 'unlimited', rpm: 0, dailyJobs: 0 });

      const ownResults = [];
      for (let i = 0; i < 4; i++) ownResults.push(await repo.check(keyCheck(own.secret)));
      expect(ownResults.map((r) => r.status)).toEqual(['allowed', 'allowed', 'allowed', 'limited']);
      expect(ownResults[0]).toMatchObject({
        cache: 'private',
        rate: { limit: 3 },
        dailyJobLimit: 7,
      });

      const defaultResults = [];
      for (let i = 0; i < 3; i++) defaultResults.push(await repo.check(keyCheck(defaults.secret)));
      expect(defaultResults.map((r) => r.status)).toEqual(['allowed', 'allowed', 'limited']);
      expect(defaultResults[0]).toMatchObject({ cache: 'shared', dailyJobLimit: 50 });

      for (let i = 0; i < 10; i++)
        expect(await repo.check(keyCheck(unlimited.secret))).toMatchObject({
          status: 'allowed',
          rate: null,
          dailyJobLimit: 0,
        });
      expect(await redis.exists(keys.rateLimit(`key:${unlimited.record.id}`))).toBe(0);
    });
  });
});
