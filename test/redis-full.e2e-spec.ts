import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUMMARIZER } from '../src/ai/summarizer';
import { DisposableRedisServer } from './support/redis-server';
import { ScriptedSummarizer } from './support/scripted-summarizer';
import { startTestApp, waitFor, waitForJob, type TestApp } from './support/test-app';

/**
 * Redis at `maxmemory` with `noeviction` (the policy BullMQ requires): writes are refused with "OOM command not
 * allowed", reads still work. A private redis-server, so the shared one never fills up.
 */
describe('Redis full (maxmemory reached, noeviction)', () => {
  let server: DisposableRedisServer;
  let admin: Redis;
  let api: TestApp;
  const cachedInput = 'Cached before Redis filled up. Reads still work. Hits are served.';

  beforeAll(async () => {
    server = await DisposableRedisServer.start();
    admin = new Redis(server.url);
    expect(await admin.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
    api = await startTestApp({
      env: { REDIS_URL: server.url },
      override: (b) => b.overrideProvider(SUMMARIZER).useValue(new ScriptedSummarizer()),
    });
    const first = await api.post('/api/submit', { input: cachedInput });
    await waitForJob(api, first.body.job_id);
  });
  afterAll(async () => {
    await admin.config('SET', 'maxmemory', '0').catch(() => undefined);
    await api.close();
    admin.disconnect();
    await server.dispose();
  });

  const fill = () => admin.config('SET', 'maxmemory', '1');
  const drain = () => admin.config('SET', 'maxmemory', '0');

  it('answers a submission that needs a write with 503 and Retry-After, still serves hits, and says why on /health', async () => {
    const analyticsBefore = (await api.get('/api/analytics')).body;
    await fill();
    try {
      const miss = await api.post('/api/submit', {
        input: 'A new input while Redis is full. It needs a job. It waits.',
      });
      expect(miss.status).toBe(503);
      expect(miss.headers['retry-after']).toBe('30');
      expect(miss.body).toMatchObject({
        type: 'urn:smartcache:problem:redis-out-of-memory',
        status: 503,
        detail: expect.stringMatching(/out of memory/),
      });

      const hit = await api.post('/api/submit', { input: cachedInput });
      expect(hit).toMatchObject({ status: 200, body: { cache: 'hit' } });

      const health = await api.get('/health');
      expect(health.status).toBe(503);
      expect(health.body.error.redis).toMatchObject({ status: 'down', cause: 'out_of_memory' });
    } finally {
      await drain();
    }

    // The hit counted while every analytics write was refused is written once Redis has room again: exactly once.
    const after = await waitFor(
      async () => {
        const { body } = await api.get('/api/analytics');
        return body.cache_hits === analyticsBefore.cache_hits + 1 ? body : undefined;
      },
      { timeoutMs: 10_000, what: 'the held-back hit to be written' },
    );
    expect(after.total_requests).toBe(analyticsBefore.total_requests + 1);
    expect((await api.get('/health')).status).toBe(200);
    const again = await api.post('/api/submit', { input: 'Redis has room again. Jobs are queued. Fine.' });
    expect(again.status).toBe(202);
  });
});
