import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUMMARIZER } from '../src/ai/summarizer';
import { DisposableRedisServer } from './support/redis-server';
import { ScriptedSummarizer } from './support/scripted-summarizer';
import { startTestApp, waitFor, waitForJob, type TestApp } from './support/test-app';

/** Times a request; the API must answer within 2 s whatever Redis does. */
async function timed<T>(request: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await request();
  return { result, ms: performance.now() - started };
}

describe('Redis outage while serving (a private redis-server the test kills, freezes and restarts)', () => {
  let redis: DisposableRedisServer;
  let api: TestApp;
  const summarizer = new ScriptedSummarizer();

  beforeAll(async () => {
    redis = await DisposableRedisServer.start();
    api = await startTestApp({
      env: { REDIS_URL: redis.url },
      override: (b) => b.overrideProvider(SUMMARIZER).useValue(summarizer),
    });
  });
  afterAll(async () => {
    summarizer.release();
    redis.thaw();
    await redis.start().catch(() => undefined);
    await api.close();
    await redis.dispose();
  });

  const waitUntilServing = () =>
    waitFor(async () => ((await api.get('/health')).status === 200 ? true : undefined), {
      timeoutMs: 15_000,
      intervalMs: 200,
      what: 'the API to be healthy again',
    });

  it('answers 503 within 2 s while Redis is down, makes no job for it, and recovers by itself', async () => {
    const before = await api.post('/api/submit', { input: 'Before the outage. All is well. Jobs complete.' });
    expect(before.status).toBe(202);
    await waitForJob(api, before.body.job_id);

    await redis.kill();

    const duringInput = 'During the outage. Nothing works. Or does it?';
    const submit = await timed(() => api.post('/api/submit', { input: duringInput }));
    expect(submit.result.status).toBe(503);
    expect(submit.result.body).toMatchObject({ statusCode: 503, message: expect.stringMatching(/Redis/) });
    expect(submit.ms).toBeLessThan(2_000);

    for (const path of [`/api/status/${before.body.job_id}`, '/api/analytics', '/health']) {
      const answer = await timed(() => api.get(path));
      expect(answer.result.status).toBe(503);
      expect(answer.ms).toBeLessThan(2_000);
    }

    await redis.start();
    await waitUntilServing();

    // The refused submission left nothing behind: the same input is a fresh miss, not a job it could join.
    const after = await api.post('/api/submit', { input: duringInput });
    expect(after).toMatchObject({ status: 202, body: { cache: 'miss' } });
    expect(await waitForJob(api, after.body.job_id, ['completed', 'failed'], 20_000)).toMatchObject({
      status: 'completed',
    });
  });

  it('answers 503 within 2 s while Redis hangs, and recovers when it answers again', async () => {
    redis.freeze();
    try {
      const submit = await timed(() =>
        api.post('/api/submit', { input: 'A hung Redis. Requests must not hang. They fail fast.' }),
      );
      expect(submit.result.status).toBe(503);
      expect(submit.ms).toBeLessThan(2_000);
      const analytics = await timed(() => api.get('/api/analytics'));
      expect(analytics.result.status).toBe(503);
      expect(analytics.ms).toBeLessThan(2_000);
    } finally {
      redis.thaw();
    }
    await waitUntilServing();
    const after = await api.post('/api/submit', { input: 'Redis answers again. Work goes on. Fine.' });
    expect(after.status).toBe(202);
    await waitForJob(api, after.body.job_id);
  });

  it('completes a job that was running when Redis went down, once Redis is back', async () => {
    summarizer.hold();
    const submitted = await api.post('/api/submit', {
      input: 'Running across an outage. The summary is done. It must be kept.',
    });
    await waitForJob(api, submitted.body.job_id, ['processing']);
    const callsBefore = summarizer.calls;

    await redis.kill();
    summarizer.release(); // the summary is made while Redis is away; the worker must keep it until Redis returns
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await redis.start();
    await waitUntilServing();

    const done = await waitForJob(api, submitted.body.job_id, ['completed', 'failed'], 30_000);
    expect(done).toMatchObject({ status: 'completed', attempts: 1 });
    expect(summarizer.calls).toBe(callsBefore);
    expect(
      (
        await api.post('/api/submit', {
          input: 'Running across an outage. The summary is done. It must be kept.',
        })
      ).body.cache,
    ).toBe('hit');
  });
});
