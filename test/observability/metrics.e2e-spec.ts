import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { articleHtml, startServer, type LocalServer } from '../content/local-server';
import { DEFAULT_USAGE, FakeGeminiApi } from '../fakes/fake-gemini-api';
import { Scrape } from '../support/prometheus-text';
import { deleteKeysWithPrefix, startTestApp, waitFor, waitForJob, type TestApp } from '../support/test-app';
import { TEST_REDIS_URL } from '../support/test-environment';

const MODEL = 'gemini-3.5-flash-lite';
const GEMINI = { provider: 'gemini', model: MODEL };
const TOKENS_PER_CALL = DEFAULT_USAGE.totalTokenCount;
const text = (topic: string) =>
  `The council discussed ${topic} on Monday. The vote on ${topic} passed narrowly. Residents reacted with relief.`;

async function scrape(api: TestApp, headers: Record<string, string> = {}): Promise<Scrape> {
  const response = await fetch(`${api.baseUrl}/metrics`, { headers });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return new Scrape(await response.text());
}

async function submit(api: TestApp, input: string): Promise<{ job_id?: string; cache: string }> {
  const { status, body } = await api.post('/api/submit', { input });
  expect([200, 202]).toContain(status);
  return body;
}

describe('Prometheus metrics of an API + worker process (GET /metrics)', () => {
  let gemini: FakeGeminiApi;
  let origin: LocalServer;
  let api: TestApp;
  let metrics: Scrape;

  beforeAll(async () => {
    gemini = await new FakeGeminiApi({ apiKey: 'key' }).start();
    // The same article at two URLs: the second is summarized from the content cache, without an AI call.
    origin = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(articleHtml('Metrics for operators'));
    });
    api = await startTestApp({
      env: {
        GEMINI_API_KEY: 'key',
        GEMINI_BASE_URL: gemini.url,
        FETCH_ALLOWED_HOSTS: origin.hostPort,
        JOB_ATTEMPTS: '2',
      },
    });

    // A: an invalid answer, then a valid repair (two calls), then two hits of its cached summary.
    gemini.enqueue(FakeGeminiApi.text('not JSON at all'), FakeGeminiApi.auto());
    const a = await submit(api, text('parks'));
    await waitForJob(api, a.job_id!);
    expect((await submit(api, text('parks'))).cache).toBe('hit');
    expect((await submit(api, text('parks'))).cache).toBe('hit');
    // B: a slow answer, so a second submission joins the running job.
    gemini.enqueue(FakeGeminiApi.hang(1_500));
    const b = await submit(api, text('buses'));
    expect(b.cache).toBe('miss');
    expect((await submit(api, text('buses'))).cache).toBe('deduplicated');
    await waitForJob(api, b.job_id!);
    // C: the provider refuses the request for good: the job fails at once.
    gemini.enqueue(FakeGeminiApi.badRequest());
    const c = await submit(api, text('taxes'));
    expect(await waitForJob(api, c.job_id!)).toMatchObject({ status: 'failed' });
    // D and E: one article at two URLs (fetched and extracted twice, summarized once).
    const d = await submit(api, origin.url('/article-d'));
    await waitForJob(api, d.job_id!);
    const e = await submit(api, origin.url('/article-e'));
    expect(await waitForJob(api, e.job_id!)).toMatchObject({ status: 'completed' });
    expect((await fetch(`${api.baseUrl}/no/such/route/42`)).status).toBe(404);

    // The joined submission's savings are counted when the worker writes its counts (batched, ≤ 100 ms late).
    metrics = await waitFor(
      async () => {
        const now = await scrape(api);
        return now.value('smartcache_cache_tokens_saved_total') ===
          2 * 2 * TOKENS_PER_CALL + 2 * TOKENS_PER_CALL
          ? now
          : undefined;
      },
      { what: 'the tokens saved by the joined submission' },
    );
  });

  afterAll(async () => {
    await api?.close();
    await deleteKeysWithPrefix(TEST_REDIS_URL, api.env.REDIS_KEY_PREFIX);
    await Promise.all([gemini?.stop(), origin?.close()]);
  });

  it('counts submissions by outcome', () => {
    expect(metrics.value('smartcache_submissions_total', { outcome: 'hit' })).toBe(2);
    expect(metrics.value('smartcache_submissions_total', { outcome: 'miss' })).toBe(5);
    expect(metrics.value('smartcache_submissions_total', { outcome: 'deduplicated' })).toBe(1);
  });

  it('counts tokens saved by hits, by the joined submission and by the content cache', () => {
    // A's summary cost two calls (320 tokens), served twice; B's (160) once to the joined submission; D's (160)
    // once more to E through the content cache.
    expect(metrics.value('smartcache_cache_tokens_saved_total')).toBe(2 * 320 + 160 + 160);
  });

  it('times requests by route pattern, method and status, with one series for unmatched paths', () => {
    const count = (labels: Record<string, string>) =>
      metrics.value('smartcache_http_request_duration_seconds_count', labels);
    expect(count({ route: '/api/submit', method: 'POST', status: '202' })).toBe(6);
    expect(count({ route: '/api/submit', method: 'POST', status: '200' })).toBe(2);
    expect(count({ route: 'unmatched', method: 'GET', status: '404' })).toBe(1);
    expect(count({ route: '/api/status/:job_id', method: 'GET', status: '200' })).toBeGreaterThanOrEqual(5);
    // Never a URL: no job id, no unknown path.
    const routes = new Set(
      metrics.find('smartcache_http_request_duration_seconds_count').map((s) => s.labels.route),
    );
    expect([...routes].filter((route) => /[0-9a-f]{8}-|no\/such/.test(route))).toEqual([]);
    // The buckets add up: the +Inf bucket holds every request of the series.
    expect(
      metrics.value('smartcache_http_request_duration_seconds_bucket', {
        route: '/api/submit',
        method: 'POST',
        status: '202',
        le: '+Inf',
      }),
    ).toBe(6);
  });

  it('counts jobs by status and times their stages', () => {
    expect(metrics.value('smartcache_jobs_total', { status: 'completed' })).toBe(4);
    expect(metrics.value('smartcache_jobs_total', { status: 'failed' })).toBe(1);
    const stages = (stage: string) => metrics.value('smartcache_job_duration_seconds_count', { stage });
    expect(stages('fetching')).toBe(2);
    expect(stages('extracting')).toBe(2);
    // A, B, C (failed) and D; E's text was summarized already.
    expect(stages('summarizing')).toBe(4);
    expect(stages('total')).toBe(4);
    expect(metrics.value('smartcache_job_duration_seconds_sum', { stage: 'total' })).toBeGreaterThan(1.5);
  });

  it('counts every AI call once with its outcome, and the tokens the provider reported', () => {
    expect(gemini.calls).toHaveLength(5);
    const calls = (outcome: string) => metrics.value('smartcache_ai_calls_total', { ...GEMINI, outcome });
    expect(calls('success')).toBe(3);
    expect(calls('invalid_output')).toBe(1);
    expect(calls('permanent_error')).toBe(1);
    // Four answers carried usage (the refused call none).
    expect(metrics.value('smartcache_ai_tokens_total', { ...GEMINI, kind: 'input' })).toBe(
      4 * DEFAULT_USAGE.promptTokenCount,
    );
    expect(metrics.value('smartcache_ai_tokens_total', { ...GEMINI, kind: 'output' })).toBe(
      4 * DEFAULT_USAGE.candidatesTokenCount,
    );
  });

  it('reads the queue by state at scrape time', () => {
    expect(metrics.value('smartcache_queue_jobs', { state: 'completed' })).toBe(4);
    expect(metrics.value('smartcache_queue_jobs', { state: 'failed' })).toBe(1);
    for (const state of ['waiting', 'active', 'delayed'])
      expect(metrics.value('smartcache_queue_jobs', { state })).toBe(0);
  });

  it("includes prom-client's default process metrics and is left out of the OpenAPI document", async () => {
    expect(metrics.value('process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(metrics.find('nodejs_eventloop_lag_seconds').length).toBe(1);
    const { body } = await api.get('/docs-json');
    expect(Object.keys(body.paths)).not.toContain('/metrics');
  });
});

describe('GET /metrics with ADMIN_TOKEN set', () => {
  const token = 'metrics-admin-token-0123456789';
  let api: TestApp;

  beforeAll(async () => {
    api = await startTestApp({ env: { ADMIN_TOKEN: token, PROCESS_ROLE: 'api' } });
  });
  afterAll(async () => {
    await api?.close();
    await deleteKeysWithPrefix(TEST_REDIS_URL, api.env.REDIS_KEY_PREFIX);
  });

  it('answers 401 without the token and the metrics with it (Bearer, as Prometheus sends it)', async () => {
    const refused = await fetch(`${api.baseUrl}/metrics`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const metrics = await scrape(api, { authorization: `Bearer ${token}` });
    expect(metrics.value('smartcache_submissions_total', { outcome: 'hit' })).toBe(0);
  });
});
