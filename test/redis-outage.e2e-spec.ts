import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DisposableRedisServer } from './support/redis-server';
import { startTestApp, waitFor, waitForJob, type TestApp } from './support/test-app';

/** Times a request; the API must answer within 2 s whatever Redis does. */
async function timed<T>(request: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await request();
  return { result, ms: performance.now() - started };
}

describe('Redis outage while serving', () => {
  let redis: DisposableRedisServer;
  let api: TestApp;

  beforeAll(async () => {
    redis = await DisposableRedisServer.start();
    api = await startTestApp({ env: { REDIS_URL: redis.url } });
  });
  afterAll(async () => {
    await redis.start().catch(() => undefined);
    await api.close();
    await redis.kill();
  });

  it('answers 503 within 2 s while Redis is down, and recovers by itself when it returns', async () => {
    const before = await api.post('/api/submit', { input: 'Before the outage. All is well. Jobs complete.' });
    expect(before.status).toBe(202);
    await waitForJob(api, before.body.job_id);

    await redis.kill();

    const submit = await timed(() =>
      api.post('/api/submit', { input: 'During the outage. Nothing works. Or does it?' }),
    );
    expect(submit.result.status).toBe(503);
    expect(submit.result.body).toMatchObject({ statusCode: 503, message: expect.stringMatching(/Redis/) });
    expect(submit.ms).toBeLessThan(2_000);

    const status = await timed(() => api.get(`/api/status/${before.body.job_id}`));
    expect(status.result.status).toBe(503);
    expect(status.ms).toBeLessThan(2_000);

    const analytics = await timed(() => api.get('/api/analytics'));
    expect(analytics.result.status).toBe(503);
    expect(analytics.ms).toBeLessThan(2_000);

    const health = await timed(() => api.get('/health'));
    expect(health.result.status).toBe(503);
    expect(health.result.body.status).toBe('error');
    expect(health.ms).toBeLessThan(2_000);

    await redis.start();

    const after = await waitFor(
      async () => {
        const response = await api.post('/api/submit', {
          input: 'After the outage. Redis is back. Work goes on.',
        });
        return response.status === 202 ? response : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 200, what: 'the API to accept submissions again' },
    );
    // The worker reconnected too: the new job completes.
    expect(await waitForJob(api, after.body.job_id, ['completed', 'failed'], 20_000)).toMatchObject({
      status: 'completed',
    });
    expect((await api.get('/health')).status).toBe(200);
  });
});
