import { REDIS_COMMAND_TIMEOUT_MS } from '../../src/core/redis/redis-connection';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApiKeys } from '../support/api-keys';
import { DisposableRedisServer } from '../support/redis-server';
import { startTestApp, waitFor, type TestApp } from '../support/test-app';

/** Times a request: the API must answer 503 quickly whatever Redis does. */
async function timed<T>(request: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await request();
  return { result, ms: performance.now() - started };
}

/**
 * A hung Redis answers nothing, so each command ends at REDIS_COMMAND_TIMEOUT_MS. ioredis sends one auto-pipeline per
 * connection at a time: a request's commands may wait for the batch in flight before them (another request's, or the
 * dashboard's sampler) to time out first. Two timeouts, then, at most.
 */
const HUNG_BOUND_MS = 2 * REDIS_COMMAND_TIMEOUT_MS + 500;

describe('access checks fail closed while Redis is down (a private redis-server the test kills and freezes)', () => {
  let redis: DisposableRedisServer;
  let keysOn: TestApp;
  let ipLimited: TestApp;
  let keys: TestApiKeys;
  let auth: Record<string, string>;

  beforeAll(async () => {
    redis = await DisposableRedisServer.start();
    keysOn = await startTestApp({
      env: { REDIS_URL: redis.url, API_KEYS_REQUIRED: 'true', RATE_LIMIT_RPM: '100' },
    });
    ipLimited = await startTestApp({ env: { REDIS_URL: redis.url, RATE_LIMIT_RPM: '100' } });
    keys = new TestApiKeys(keysOn.env.REDIS_KEY_PREFIX, redis.url);
    ({ auth } = await keys.create());
  });
  afterAll(async () => {
    redis.thaw();
    keys.close();
    await Promise.all([keysOn.close(), ipLimited.close()]);
    await redis.dispose();
  });

  const requests = (): Array<[string, () => Promise<{ status: number }>]> => [
    [
      'submit with a key',
      () => keysOn.post('/api/submit', { input: 'Redis is down. Keys cannot be checked.' }, auth),
    ],
    ['status with a key', () => keysOn.get('/api/status/some-job', auth)],
    ['usage with a key', () => keysOn.get('/api/usage', auth)],
    [
      'submit per IP',
      () => ipLimited.post('/api/submit', { input: 'Redis is down. Rates cannot be checked.' }),
    ],
    ['status per IP', () => ipLimited.get('/api/status/some-job')],
  ];

  it('answers 503 (never 200, 202 or 401) while Redis is killed or hung, and serves again when it is back', async () => {
    for (const [, request] of requests()) expect((await request()).status).not.toBe(503);

    await redis.kill();
    for (const [what, request] of requests()) {
      const { result, ms } = await timed(request);
      expect([what, result.status]).toEqual([what, 503]);
      expect([what, ms < 2_000]).toEqual([what, true]);
    }

    await redis.start();
    await waitFor(async () => ((await keysOn.get('/api/usage', auth)).status === 200 ? true : undefined), {
      what: 'the key to be served again',
    });
    redis.freeze();
    try {
      for (const [what, request] of requests()) {
        const { result, ms } = await timed(request);
        expect([what, result.status]).toEqual([what, 503]);
        expect([what, ms < HUNG_BOUND_MS]).toEqual([what, true]);
      }
    } finally {
      redis.thaw();
    }
    await waitFor(
      async () => ((await ipLimited.get('/api/status/some-job')).status === 404 ? true : undefined),
      {
        what: 'the per-IP check to pass again',
      },
    );
  });
});
