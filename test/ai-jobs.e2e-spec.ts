import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeGeminiApi } from './fakes/fake-gemini-api';
import { FakeOpenAiApi } from './fakes/fake-openai-api';
import { deleteKeysWithPrefix, startTestApp, waitFor, waitForJob, type TestApp } from './support/test-app';
import { TEST_REDIS_URL } from './support/test-environment';

const USAGE = { promptTokenCount: 300, candidatesTokenCount: 50, totalTokenCount: 350 };
const text = (n: number) =>
  `Job number ${n} is about a council vote. The vote passed narrowly. Residents reacted.`;

describe('jobs against the Gemini API (fake on loopback): retries, rate limits, bad keys, cost', () => {
  let gemini: FakeGeminiApi;
  let api: TestApp;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    gemini = await new FakeGeminiApi({ apiKey: 'good-key' }).start();
  });
  afterEach(async () => {
    await Promise.all(
      apps.splice(0).map(async (app) => {
        await app.close();
        await deleteKeysWithPrefix(TEST_REDIS_URL, app.env.REDIS_KEY_PREFIX);
      }),
    );
    gemini.reset();
  });
  afterAll(async () => {
    await gemini.stop();
  });

  const start = async (env: Record<string, string> = {}) => {
    const app = await startTestApp({
      env: { GEMINI_API_KEY: 'good-key', GEMINI_BASE_URL: gemini.url, JOB_ATTEMPTS: '3', ...env },
    });
    apps.push(app);
    return app;
  };

  it('summarizes with Gemini in JSON mode, records provider, model and tokens, and counts what the cache saves', async () => {
    api = await start();
    gemini.enqueue(FakeGeminiApi.summary('The council voted. It passed.', ['council', 'vote'], USAGE));
    const submitted = await api.post('/api/submit', { input: text(1) });
    const done = await waitForJob(api, submitted.body.job_id);
    expect(done).toMatchObject({
      status: 'completed',
      summary: 'The council voted. It passed.',
      tags: ['council', 'vote'],
      provider: 'gemini',
      model: 'gemini-3.5-flash-lite',
      fallback: false,
      tokens_used: 350,
    });
    expect(gemini.calls).toHaveLength(1);
    expect(gemini.calls[0]).toMatchObject({
      apiKey: 'good-key',
      model: 'gemini-3.5-flash-lite',
      responseMimeType: 'application/json',
    });
    expect(gemini.calls[0].responseSchema ?? gemini.calls[0].responseJsonSchema).toBeTruthy();

    expect((await api.post('/api/submit', { input: text(1) })).body.cache).toBe('hit');
    expect((await api.post('/api/submit', { input: text(1) })).body.cache).toBe('hit');
    // Analytics are written in batches (at most ANALYTICS_FLUSH_MS late): wait for the worker's counts too.
    const analytics = await waitFor(async () => {
      const { body } = await api.get('/api/analytics');
      return body.tokens_saved === 700 && body.ai_calls === 1 ? body : undefined;
    });
    expect(analytics).toMatchObject({
      ai_calls: 1,
      tokens_used: 350,
      tokens_saved: 700,
      summaries_by_model: { 'gemini/gemini-3.5-flash-lite': 1 },
    });
  });

  it('counts the tokens deduplicated submissions saved once their job completes', async () => {
    api = await start();
    gemini.enqueue(FakeGeminiApi.hang(800, FakeGeminiApi.summary(undefined, undefined, USAGE)));
    const first = await api.post('/api/submit', { input: text(2) });
    await waitForJob(api, first.body.job_id, ['processing']);
    const second = await api.post('/api/submit', { input: text(2) });
    const third = await api.post('/api/submit', { input: text(2) });
    expect([second.body.cache, third.body.cache]).toEqual(['deduplicated', 'deduplicated']);
    await waitForJob(api, first.body.job_id);
    const analytics = await waitFor(async () => {
      const { body } = await api.get('/api/analytics');
      return body.jobs_completed === 1 ? body : undefined;
    });
    expect(analytics).toMatchObject({ ai_calls: 1, tokens_used: 350, tokens_saved: 700, deduplicated: 2 });
  });

  it('retries a 500 with backoff and completes on the next attempt', async () => {
    api = await start();
    gemini.enqueue(FakeGeminiApi.serverError(500), FakeGeminiApi.summary());
    const submitted = await api.post('/api/submit', { input: text(3) });
    expect(await waitForJob(api, submitted.body.job_id)).toMatchObject({ status: 'completed', attempts: 2 });
    expect(gemini.calls).toHaveLength(2);
  });

  it('pauses for the delay a 429 asks for, without charging the job an attempt', async () => {
    api = await start({ JOB_ATTEMPTS: '1' });
    gemini.enqueue(FakeGeminiApi.rateLimited(1), FakeGeminiApi.summary());
    const submitted = await api.post('/api/submit', { input: text(4) });
    const done = await waitForJob(api, submitted.body.job_id);
    // With a single attempt allowed, only a rate limit that costs no attempt can still end in success.
    expect(done).toMatchObject({ status: 'completed', attempts: 1 });
    expect(gemini.calls).toHaveLength(2);
    expect(gemini.calls[1].receivedAt - gemini.calls[0].receivedAt).toBeGreaterThanOrEqual(950);
  });

  it('fails at once on a rejected key and reports it on /health', async () => {
    api = await start({ GEMINI_API_KEY: 'wrong-key' });
    expect((await api.get('/health')).status).toBe(200);
    const submitted = await api.post('/api/submit', { input: text(5) });
    const failed = await waitForJob(api, submitted.body.job_id);
    expect(failed).toMatchObject({ status: 'failed', attempts: 1 });
    expect(failed.error).toMatch(/key/i);
    expect(gemini.calls).toHaveLength(1);
    const health = await api.get('/health');
    expect(health.status).toBe(503);
    expect(health.body.details.ai_credentials).toMatchObject({ status: 'down', provider: 'gemini' });
  });

  it.each([
    ['an unknown model', FakeGeminiApi.modelNotFound(), /model/i],
    ['a safety block', FakeGeminiApi.promptBlocked('SAFETY'), /safety|blocked/i],
  ])('fails at once on %s, with the reason', async (_case, reply, reason) => {
    api = await start();
    gemini.enqueue(reply);
    const submitted = await api.post('/api/submit', { input: text(6) });
    const failed = await waitForJob(api, submitted.body.job_id);
    expect(failed).toMatchObject({ status: 'failed', attempts: 1 });
    expect(failed.error).toMatch(reason);
  });

  it('fails after one repair attempt when the model keeps answering the wrong shape', async () => {
    api = await start();
    const wrong = FakeGeminiApi.json({ summary: 'One. Two.', tags: ['a', 'b', 'c', 'd', 'e'] }, USAGE);
    gemini.enqueue(wrong, wrong);
    const submitted = await api.post('/api/submit', { input: text(7) });
    const failed = await waitForJob(api, submitted.body.job_id);
    expect(failed).toMatchObject({ status: 'failed', attempts: 1 });
    expect(failed.error).toMatch(/5 .*tags/);
    // Both answers were billed: the failed job reports what it spent.
    expect(failed.tokens_used).toBe(2 * USAGE.totalTokenCount);
    expect(failed.cost_usd).toBeGreaterThan(0);
    expect(gemini.calls).toHaveLength(2);
    const analytics = await waitFor(async () => {
      const { body } = await api.get('/api/analytics');
      return body.jobs_failed === 1 ? body : undefined;
    });
    expect(analytics).toMatchObject({ ai_calls: 2, jobs_failed: 1 });
  });

  it('falls back to the local summarizer when Gemini fails for good, and caches that for less time', async () => {
    api = await start({ AI_FALLBACK: 'local', FALLBACK_CACHE_TTL: '7', CACHE_TTL: '3600' });
    gemini.enqueue(FakeGeminiApi.modelNotFound());
    const submitted = await api.post('/api/submit', { input: text(8) });
    const done = await waitForJob(api, submitted.body.job_id);
    expect(done).toMatchObject({ status: 'completed', provider: 'local', fallback: true });
    expect(done.summary).toMatch(/council vote/);
    const redis = new Redis(TEST_REDIS_URL);
    try {
      const keys = await redis.keys(`${api.env.REDIS_KEY_PREFIX}summary:*`);
      expect(keys).toHaveLength(1);
      const ttl = await redis.ttl(keys[0]);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(7);
    } finally {
      redis.disconnect();
    }
  });

  it('keeps AI calls under AI_MAX_RPS across all workers', async () => {
    // Unbatched, one call per job (with batching a call carries up to AI_BATCH_SIZE jobs: test/ai-batching.e2e-spec.ts).
    api = await start({ AI_MAX_RPS: '2', WORKER_COUNT: '5', AI_BATCH_SIZE: '1' });
    const submitted = await Promise.all(
      [9, 10, 11, 12, 13].map((n) => api.post('/api/submit', { input: text(n) })),
    );
    await Promise.all(submitted.map((s) => waitForJob(api, s.body.job_id)));
    expect(gemini.calls).toHaveLength(5);
    // What the limiter guarantees is job starts (one AI call each): at most 2 per second, so the 3rd and the 5th
    // start a window later. Read from the job records, as BullMQ stamped them; when the calls then reach the API
    // depends on the machine's load, which this must not.
    const queue = new Queue('summarize', {
      connection: { url: TEST_REDIS_URL },
      prefix: `${api.env.REDIS_KEY_PREFIX}bull`,
    });
    try {
      const jobs = await Promise.all(submitted.map((s) => queue.getJob(s.body.job_id)));
      const starts = jobs.map((job) => job?.processedOn ?? Number.NaN).sort((a, b) => a - b);
      expect(starts[2] - starts[0]).toBeGreaterThanOrEqual(900);
      expect(starts[4] - starts[2]).toBeGreaterThanOrEqual(900);
    } finally {
      await queue.close();
    }
  });
});

describe('jobs against an OpenAI-compatible server (fake on loopback)', () => {
  it('summarizes through the chat completions API with a JSON schema', async () => {
    const openai = await new FakeOpenAiApi({ apiKey: 'local-key' }).start();
    const api = await startTestApp({
      env: {
        AI_PROVIDER: 'openai',
        OPENAI_BASE_URL: openai.url,
        OPENAI_API_KEY: 'local-key',
        OPENAI_MODEL: 'llama3',
      },
    });
    try {
      const submitted = await api.post('/api/submit', { input: text(20) });
      const done = await waitForJob(api, submitted.body.job_id);
      expect(done).toMatchObject({ status: 'completed', provider: 'openai', model: 'llama3' });
      expect(openai.calls).toHaveLength(1);
      expect(openai.calls[0]).toMatchObject({ authorization: 'Bearer local-key', model: 'llama3' });
      expect(openai.calls[0].responseFormat).toMatchObject({ type: 'json_schema' });
    } finally {
      await api.close();
      await openai.stop();
      await deleteKeysWithPrefix(TEST_REDIS_URL, api.env.REDIS_KEY_PREFIX);
    }
  });
});
