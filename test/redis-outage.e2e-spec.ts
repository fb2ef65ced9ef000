import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUMMARIZER } from '../src/ai/summarizer';
import { DisposableRedisServer, freePort } from './support/redis-server';
import { ServiceProcess } from './support/service-process';
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
    expect(submit.result.body).toMatchObject({ status: 503, detail: expect.stringMatching(/Redis/) });
    expect(submit.result.headers['retry-after']).toBe('1');
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

  it('serves hits, misses and /health again within 2 s of a restarted Redis accepting connections', async () => {
    const cached = 'Cached before the restart. It is on disk. It survives.';
    const first = await api.post('/api/submit', { input: cached });
    await waitForJob(api, first.body.job_id);
    await redis.kill();
    // Long enough for every client to back off to its longest reconnect delay.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    await redis.start(); // resolves once the server answers PING
    const accepting = performance.now();
    const serving = await waitFor(
      async () => {
        const [hit, miss, health] = await Promise.all([
          api.post('/api/submit', { input: cached }),
          api.post('/api/submit', { input: `After the restart ${performance.now()}. A new input. Queued.` }),
          api.get('/health'),
        ]);
        const ok = hit.status === 200 && miss.status === 202 && health.status === 200;
        return ok ? performance.now() - accepting : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 50, what: 'the API to serve again' },
    );
    expect(serving).toBeLessThan(2_000);
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

describe('logs while Redis is away (the built service, its own process)', () => {
  it('stay JSON lines, with the repeated connection errors of BullMQ throttled, and nothing on stderr', async () => {
    const redis = await DisposableRedisServer.start();
    const port = await freePort();
    const service = ServiceProcess.start({ REDIS_URL: redis.url, PORT: String(port), LOG_LEVEL: 'info' });
    try {
      await waitFor(
        async () => (service.logs().some((l) => /API listening/.test(String(l.msg))) ? true : undefined),
        {
          what: 'the service to start',
          timeoutMs: 30_000,
        },
      );
      await redis.kill();
      await new Promise((resolve) => setTimeout(resolve, 4_000));

      expect(service.stderr).toBe('');
      const lines = service.stdoutLines.filter((line) => line.trim() !== '');
      expect(lines.filter((line) => !isJson(line))).toEqual([]);
      const bullmqErrors = service.logs().filter((l) => l.msg === 'BullMQ connection error');
      // One line per BullMQ object per 10 s at most (a queue and a worker here), not several a second.
      expect(bullmqErrors.length).toBeGreaterThan(0);
      expect(bullmqErrors.length).toBeLessThanOrEqual(4);
    } finally {
      await service.stop();
      await redis.dispose();
    }
  });
});

function isJson(line: string): boolean {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}
