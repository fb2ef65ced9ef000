import { afterEach, describe, expect, it } from 'vitest';
import { SUMMARIZER } from '../src/ai/summarizer';
import { ScriptedSummarizer } from './support/scripted-summarizer';
import { deleteKeysWithPrefix, startTestApp, waitFor, waitForJob } from './support/test-app';
import { TEST_REDIS_URL, uniquePrefix } from './support/test-environment';

/** Two apps on one key prefix, as two processes of one deployment: one serves and works, one only serves. */
async function deployment(summarizer: ScriptedSummarizer, env: Record<string, string> = {}) {
  const prefix = uniquePrefix();
  const workerApi = await startTestApp({
    env: { REDIS_KEY_PREFIX: prefix, ...env },
    override: (b) => b.overrideProvider(SUMMARIZER).useValue(summarizer),
  });
  const apiOnly = await startTestApp({ env: { REDIS_KEY_PREFIX: prefix, PROCESS_ROLE: 'api', ...env } });
  return {
    workerApi,
    apiOnly,
    close: async () => {
      summarizer.release();
      await Promise.all([workerApi.close(), apiOnly.close()]);
      await deleteKeysWithPrefix(TEST_REDIS_URL, prefix);
    },
  };
}

describe('deduplication and shared analytics across API processes', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map((close) => close()));
  });
  const start = async (summarizer: ScriptedSummarizer, env?: Record<string, string>) => {
    const apps = await deployment(summarizer, env);
    cleanups.push(apps.close);
    return apps;
  };

  it('makes exactly one job and one summarizer call for 500 concurrent identical submissions', async () => {
    const summarizer = new ScriptedSummarizer().hold();
    const { workerApi, apiOnly } = await start(summarizer);
    const input = 'Five hundred clients ask at once. Only one job may run. The rest share its result.';
    const responses = await Promise.all(
      Array.from({ length: 500 }, (_, i) => (i % 2 ? apiOnly : workerApi).post('/api/submit', { input })),
    );
    expect(responses.every((r) => r.status === 202)).toBe(true);
    const jobIds = new Set(responses.map((r) => r.body.job_id));
    expect(jobIds.size).toBe(1);
    expect(responses.filter((r) => r.body.cache === 'miss')).toHaveLength(1);
    expect(responses.filter((r) => r.body.cache === 'deduplicated')).toHaveLength(499);

    summarizer.release();
    const [jobId] = jobIds;
    await waitForJob(workerApi, jobId);
    expect(summarizer.calls).toBe(1);
    expect((await apiOnly.post('/api/submit', { input })).body.cache).toBe('hit');
  });

  it('reports the same analytics from every API process', async () => {
    const summarizer = new ScriptedSummarizer().hold();
    const { workerApi, apiOnly } = await start(summarizer);
    const input = 'Twenty clients ask. One job answers them all. Then a hit follows.';
    const joined = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? apiOnly : workerApi).post('/api/submit', { input })),
    );
    summarizer.release();
    await waitForJob(workerApi, joined[0].body.job_id);
    expect((await apiOnly.post('/api/submit', { input })).body.cache).toBe('hit');

    // Each process writes its counts in batches, at most ANALYTICS_FLUSH_MS late; then all report the same numbers.
    const [a, b] = await waitFor(async () => {
      const answers = await Promise.all([workerApi.get('/api/analytics'), apiOnly.get('/api/analytics')]);
      const settled = answers.every(({ body }) => body.total_requests === 21 && body.jobs_completed === 1);
      return settled ? answers : undefined;
    });
    expect(a.body).toEqual(b.body);
    expect(a.body).toMatchObject({
      total_requests: 21,
      cache_misses: 1,
      deduplicated: 19,
      cache_hits: 1,
      jobs_completed: 1,
      jobs_failed: 0,
    });
  });

  it('lets an entry expire after CACHE_TTL and then makes a new job', async () => {
    const { workerApi: shortLived } = await start(new ScriptedSummarizer(), { CACHE_TTL: '1' });
    const input = 'This summary lives one second. Then it is gone. A new job makes it again.';
    const first = await shortLived.post('/api/submit', { input });
    expect(first.body).toMatchObject({ cache: 'miss' });
    await waitForJob(shortLived, first.body.job_id);
    expect((await shortLived.post('/api/submit', { input })).body.cache).toBe('hit');
    const again = await waitFor(
      async () => {
        const response = await shortLived.post('/api/submit', { input });
        return response.body.cache === 'miss' ? response : undefined;
      },
      { timeoutMs: 5_000, intervalMs: 200, what: 'the cache entry to expire' },
    );
    expect(again.body.job_id).not.toBe(first.body.job_id);
    await waitForJob(shortLived, again.body.job_id);
  });
});
