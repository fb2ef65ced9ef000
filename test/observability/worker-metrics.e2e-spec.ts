import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_USAGE, FakeGeminiApi } from '../fakes/fake-gemini-api';
import { Scrape } from '../support/prometheus-text';
import { freePort } from '../support/redis-server';
import { ServiceProcess } from '../support/service-process';
import { deleteKeysWithPrefix, startTestApp, waitFor, waitForJob, type TestApp } from '../support/test-app';
import { TEST_REDIS_URL, uniquePrefix } from '../support/test-environment';

const TOKEN = 'worker-metrics-token-0123456789';
const GEMINI = { provider: 'gemini', model: 'gemini-3.5-flash-lite' };

/** A `PROCESS_ROLE=worker` child with `env`, once its metrics server listens. */
async function startWorker(
  env: Record<string, string>,
): Promise<{ worker: ServiceProcess; metricsUrl: string }> {
  const port = await freePort();
  const worker = ServiceProcess.start({
    REDIS_URL: TEST_REDIS_URL,
    PROCESS_ROLE: 'worker',
    HOST: '127.0.0.1',
    METRICS_PORT: String(port),
    ...env,
  });
  await waitFor(async () => (worker.logs().some((l) => l.metrics_port === port) ? true : undefined), {
    what: `the worker's metrics server (stderr: ${worker.stderr})`,
  });
  return { worker, metricsUrl: `http://127.0.0.1:${port}/metrics` };
}

describe('GET /metrics of a worker-only process (PROCESS_ROLE=worker, METRICS_PORT)', () => {
  const prefix = uniquePrefix();
  let gemini: FakeGeminiApi;
  let api: TestApp;
  let worker: ServiceProcess;
  let metricsUrl: string;

  const scrapeWorker = async (): Promise<Scrape> => {
    const response = await fetch(metricsUrl, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return new Scrape(await response.text());
  };

  beforeAll(async () => {
    gemini = await new FakeGeminiApi({ apiKey: 'key' }).start();
    const ai = { AI_PROVIDER: 'gemini', GEMINI_API_KEY: 'key', GEMINI_BASE_URL: gemini.url };
    // The test's API process only serves; the job runs in the worker child.
    api = await startTestApp({ env: { ...ai, REDIS_KEY_PREFIX: prefix, PROCESS_ROLE: 'api' } });
    ({ worker, metricsUrl } = await startWorker({ ...ai, REDIS_KEY_PREFIX: prefix, ADMIN_TOKEN: TOKEN }));
  });
  afterAll(async () => {
    await worker?.stop();
    await api?.close();
    await gemini?.stop();
    await deleteKeysWithPrefix(TEST_REDIS_URL, prefix);
  });

  it("serves the worker's own counts after it ran a job, with the default process metrics", async () => {
    const before = await scrapeWorker();
    expect(before.value('smartcache_jobs_total', { status: 'completed' })).toBe(0);
    expect(before.value('process_resident_memory_bytes')).toBeGreaterThan(0);

    const submitted = await api.post('/api/submit', {
      input:
        'A worker in its own process ran this job. Its metrics say so. The API process counted the request.',
    });
    expect(submitted.status).toBe(202);
    await waitForJob(api, submitted.body.job_id);

    const after = await scrapeWorker();
    expect(after.value('smartcache_jobs_total', { status: 'completed' })).toBe(1);
    expect(after.value('smartcache_job_duration_seconds_count', { stage: 'total' })).toBe(1);
    expect(after.value('smartcache_job_duration_seconds_count', { stage: 'summarizing' })).toBe(1);
    expect(after.value('smartcache_ai_calls_total', { ...GEMINI, outcome: 'success' })).toBe(1);
    expect(after.value('smartcache_ai_tokens_total', { ...GEMINI, kind: 'input' })).toBe(
      DEFAULT_USAGE.promptTokenCount,
    );
    // Read from Redis at scrape time, but at most once a second: the reading of the first scrape may still answer.
    const gauge = await waitFor(async () => {
      const now = await scrapeWorker();
      return now.value('smartcache_queue_jobs', { state: 'completed' }) === 1 ? now : undefined;
    });
    expect(gauge.value('smartcache_queue_jobs', { state: 'waiting' })).toBe(0);
    // Per process: the submission was counted by the API process, not here; and a worker serves no HTTP API.
    expect(after.value('smartcache_submissions_total', { outcome: 'miss' })).toBe(0);
    expect(after.find('smartcache_http_request_duration_seconds_count')).toEqual([]);

    const apiMetrics = new Scrape(await (await fetch(`${api.baseUrl}/metrics`)).text());
    expect(apiMetrics.value('smartcache_submissions_total', { outcome: 'miss' })).toBe(1);
    expect(apiMetrics.value('smartcache_jobs_total', { status: 'completed' })).toBe(0);
  });

  it('answers 404 for other paths, 405 for other methods, and 401 without the admin token', async () => {
    const other = await fetch(metricsUrl.replace('/metrics', '/health'));
    expect(other.status).toBe(404);
    expect(other.headers.get('content-type')).toBe('application/problem+json');
    expect((await fetch(metricsUrl, { method: 'POST' })).status).toBe(405);
    const refused = await fetch(metricsUrl);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/^Basic/);
  });

  it('closes the server on SIGTERM and exits 0, although the scraper keeps its connection open', async () => {
    await scrapeWorker();
    worker.signal('SIGTERM');
    const { code } = await Promise.race([
      worker.exited,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no exit within 15 s')), 15_000)),
    ]);
    expect(code).toBe(0);
    await expect(fetch(metricsUrl)).rejects.toThrow();
  });
});

// The rule of the API's /metrics (AdminGuard): with API keys on, operators' pages are closed to API clients, so a
// worker's metrics must be too, with or without ADMIN_TOKEN.
describe('GET /metrics of a worker-only process with API keys required (API_KEYS_REQUIRED=true)', () => {
  const prefix = uniquePrefix();
  const workers: ServiceProcess[] = [];

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    await deleteKeysWithPrefix(TEST_REDIS_URL, prefix);
  });

  it('answers 401 without the admin token and 200 with it', async () => {
    const { worker, metricsUrl } = await startWorker({
      REDIS_KEY_PREFIX: prefix,
      API_KEYS_REQUIRED: 'true',
      ADMIN_TOKEN: TOKEN,
    });
    workers.push(worker);

    const refused = await fetch(metricsUrl);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect(
      (await fetch(metricsUrl, { headers: { authorization: 'Bearer an-api-key-is-not-it' } })).status,
    ).toBe(401);
    const allowed = await fetch(metricsUrl, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(allowed.status).toBe(200);
    expect(new Scrape(await allowed.text()).value('process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('answers 401 to everyone when no ADMIN_TOKEN is set, as the API does', async () => {
    const { worker, metricsUrl } = await startWorker({ REDIS_KEY_PREFIX: prefix, API_KEYS_REQUIRED: 'true' });
    workers.push(worker);

    const refused = await fetch(metricsUrl);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(((await refused.json()) as { detail: string }).detail).toMatch(
      /API_KEYS_REQUIRED.*no ADMIN_TOKEN/,
    );
    // No token can open it, so browsers are not asked for one.
    expect(refused.headers.get('www-authenticate')).toBeNull();
    expect((await fetch(metricsUrl, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(401);
  });
});
