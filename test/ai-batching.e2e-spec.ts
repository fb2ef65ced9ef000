import { QueueEvents } from 'bullmq';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeGeminiApi } from './fakes/fake-gemini-api';
import { fakeSummaryOf } from './fakes/fake-batch';
import { ServiceProcess } from './support/service-process';
import { deleteKeysWithPrefix, startTestApp, waitFor, waitForJob, type TestApp } from './support/test-app';
import { TEST_REDIS_URL, uniquePrefix } from './support/test-environment';

/** Distinct short inputs (about 60 tokens each: batched) and long ones (past AI_BATCH_MAX_INPUT_TOKENS: alone). */
const shortText = (run: string, n: number) =>
  `Short input ${n} of run ${run} about harbour number ${n}. The ferries run late on day ${n}. Crews repair pier ${n}.`;
const longText = (run: string, n: number) =>
  `Long input ${n} of run ${run}. ` +
  Array.from({ length: 120 }, (_, i) => `Sentence ${i} tells of the long report ${n} in detail.`).join(' ');

/**
 * AI batching at the job level: real workers (the built service as child processes) against the fake Gemini API,
 * jobs submitted through the API. Each job completes exactly once with its own summary, whatever happens to the
 * batched call it was part of: a 429, or the worker killed while the call is out.
 */
describe('AI batching in the worker: jobs gathered into calls, each completed exactly once', () => {
  let gemini: FakeGeminiApi;
  let api: TestApp;
  let prefix: string;
  let events: QueueEvents;
  /** Job id → how many times BullMQ announced its completion. */
  let completions: Map<string, number>;
  const workers: ServiceProcess[] = [];

  beforeEach(async () => {
    gemini = await new FakeGeminiApi({ apiKey: 'batch-key' }).start();
    prefix = uniquePrefix();
    api = await startTestApp({ env: { REDIS_KEY_PREFIX: prefix, PROCESS_ROLE: 'api', ...gemini_env() } });
    completions = new Map();
    events = new QueueEvents('summarize', { connection: { url: TEST_REDIS_URL }, prefix: `${prefix}bull` });
    events.on('completed', ({ jobId }) => completions.set(jobId, (completions.get(jobId) ?? 0) + 1));
    await events.waitUntilReady();
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop()));
    await events.close();
    await api.close();
    await gemini.stop();
    await deleteKeysWithPrefix(TEST_REDIS_URL, prefix);
  });

  function gemini_env(): Record<string, string> {
    return { AI_PROVIDER: 'gemini', GEMINI_API_KEY: 'batch-key', GEMINI_BASE_URL: gemini.url };
  }

  function startWorker(env: Record<string, string> = {}): ServiceProcess {
    const worker = ServiceProcess.start({
      ...gemini_env(),
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      PROCESS_ROLE: 'worker',
      WORKER_COUNT: '1',
      AI_BATCH_SIZE: '4',
      // Generous: on a busy machine the jobs of a batch must all reach the batcher before it gives up waiting.
      AI_BATCH_WAIT_MS: '500',
      LOG_LEVEL: 'warn',
      ...env,
    });
    workers.push(worker);
    return worker;
  }

  const submitAll = (inputs: string[]) =>
    Promise.all(
      inputs.map(async (input) => {
        const answer = await api.post('/api/submit', { input });
        expect(answer.status).toBe(202);
        return { input, jobId: answer.body.job_id as string };
      }),
    );

  /** Every job completed with the summary of its own input (the fake's summary names the input's first words). */
  async function expectEachCompletedOnce(jobs: Array<{ input: string; jobId: string }>): Promise<void> {
    for (const { input, jobId } of jobs) {
      const status = await waitForJob(api, jobId, undefined, 60_000);
      expect(status).toMatchObject({ status: 'completed', summary: fakeSummaryOf(input).summary });
    }
    await waitFor(() => Promise.resolve(jobs.every((job) => completions.has(job.jobId)) ? true : undefined), {
      what: 'every completion event',
    });
    expect(jobs.map((job) => completions.get(job.jobId))).toEqual(jobs.map(() => 1));
  }

  it('sends short inputs in batches and long ones alone; a 429 on a batch delays its jobs, none is lost', async () => {
    const run = prefix;
    // The first call is answered, the second gets a 429 (Gemini's RetryInfo: 1 s), the rest are answered.
    gemini.enqueue(FakeGeminiApi.auto(), FakeGeminiApi.rateLimited(1));
    const jobs = await submitAll([
      ...Array.from({ length: 8 }, (_, n) => shortText(run, n)),
      ...Array.from({ length: 2 }, (_, n) => longText(run, n)),
    ]);
    // Started after the submissions: the jobs wait together, as under load.
    startWorker();
    await expectEachCompletedOnce(jobs);

    const answered = gemini.calls.filter((call) => !call.rateLimited);
    const batched = answered.filter((call) => call.batch !== undefined);
    expect(batched.length).toBeGreaterThan(0);
    for (const call of batched) expect(call.ids?.length).toBeLessThanOrEqual(4);
    // Fewer calls than jobs: that is the point.
    expect(gemini.calls.length).toBeLessThan(jobs.length);
    // The long inputs never rode in a batch.
    const longOnes = jobs.slice(8).map((job) => job.input.slice(0, 30));
    for (const call of batched) {
      for (const input of call.batch ?? [])
        expect(longOnes.some((start) => input.text.includes(start))).toBe(false);
    }
    // Each job carries its share of its call's price, and the model version the API reported.
    const first = await api.get(`/api/status/${jobs[0].jobId}`);
    expect(first.body.cost_usd).toBeGreaterThan(0);
    expect(first.body.model_version).toEqual(expect.any(String));
    // Every HTTP call counted once, the 429 included, whatever number of jobs shared it (counts land within 100 ms).
    const analytics = await waitFor(
      async () => {
        const body = (await api.get('/api/analytics')).body;
        return body.jobs_completed === jobs.length ? body : undefined;
      },
      { what: 'the workers’ counts' },
    );
    expect(analytics.cost_usd).toBeGreaterThan(0);
    expect(analytics.ai_calls).toBe(gemini.calls.length);
  });

  it('completes every job of a batch exactly once when the worker is killed while the call is out', async () => {
    const run = prefix;
    gemini.enqueue(FakeGeminiApi.hang());
    const jobs = await submitAll(Array.from({ length: 4 }, (_, n) => shortText(run, n)));
    // Short locks: another worker takes the jobs over soon after the first one dies.
    const fastRecovery = { JOB_LOCK_MS: '2000', STALLED_INTERVAL_MS: '1000' };
    const doomed = startWorker(fastRecovery);
    await waitFor(() => Promise.resolve(gemini.batchCalls.length === 1 ? true : undefined), {
      what: 'the batched call to be out',
      timeoutMs: 30_000,
    });
    expect(gemini.batchCalls[0].ids).toHaveLength(4);
    doomed.signal('SIGKILL');
    await doomed.exited;

    startWorker(fastRecovery);
    await expectEachCompletedOnce(jobs);
    expect(gemini.batchCalls.length).toBeGreaterThanOrEqual(2);
  });
});

/**
 * AI_DAILY_BUDGET_USD: once today's spend reaches it, no remote call starts. With AI_FALLBACK=local the built-in
 * summarizer stands in; without, jobs wait for tomorrow's budget, saying so, and the service stays healthy.
 */
describe('the daily AI budget', () => {
  let gemini: FakeGeminiApi;
  const apps: TestApp[] = [];

  beforeEach(async () => {
    gemini = await new FakeGeminiApi().start();
  });
  afterEach(async () => {
    for (const app of apps.splice(0)) {
      await app.close();
      await deleteKeysWithPrefix(TEST_REDIS_URL, app.env.REDIS_KEY_PREFIX);
    }
    await gemini.stop();
  });

  async function start(env: Record<string, string>): Promise<TestApp> {
    const app = await startTestApp({
      env: {
        AI_PROVIDER: 'gemini',
        GEMINI_API_KEY: 'k',
        GEMINI_BASE_URL: gemini.url,
        AI_BATCH_SIZE: '1',
        ...env,
      },
    });
    apps.push(app);
    return app;
  }

  it('holds new jobs until the next UTC day once the spend reaches the budget, with a note and no error', async () => {
    // A budget the first summary spends (the fake reports tokens; the default model has a price).
    const app = await start({ AI_DAILY_BUDGET_USD: '0.000001' });
    const first = await app.post('/api/submit', {
      input: 'Budget first. It is summarized remotely and paid for.',
    });
    const done = await waitForJob(app, first.body.job_id, undefined, 30_000);
    expect(done).toMatchObject({ status: 'completed', provider: 'gemini', fallback: false });
    expect(done.cost_usd).toBeGreaterThan(0.000001);

    const second = await app.post('/api/submit', { input: 'Budget second. It must wait for tomorrow.' });
    const waiting = await waitFor(
      async () => {
        const status = (await app.get(`/api/status/${second.body.job_id}`)).body;
        return status.note ? status : undefined;
      },
      { what: 'the job to wait for the budget', timeoutMs: 30_000 },
    );
    expect(waiting).toMatchObject({ status: 'pending', stage: 'queued', error: null });
    expect(waiting.note).toMatch(/daily AI budget is spent/);
    expect(gemini.calls).toHaveLength(1);

    // The worker's spend reaches Redis within 100 ms of the job; the API reads it from there.
    const analytics = await waitFor(
      async () => {
        const body = (await app.get('/api/analytics')).body;
        return body.ai_budget.exhausted ? body : undefined;
      },
      { what: 'the API to see the budget spent' },
    );
    expect(analytics.ai_budget).toMatchObject({ daily_usd: 0.000001, exhausted: true });
    expect(analytics.ai_budget.spent_today_usd).toBe(analytics.cost_usd);
    expect((await app.get('/health')).status).toBe(200);
  });

  it('summarizes with the built-in summarizer instead when AI_FALLBACK=local', async () => {
    const app = await start({ AI_DAILY_BUDGET_USD: '0', AI_FALLBACK: 'local' });
    const submitted = await app.post('/api/submit', {
      input: 'Budget zero. The built-in summarizer stands in. No remote call is made today. It says so.',
    });
    const done = await waitForJob(app, submitted.body.job_id);
    expect(done).toMatchObject({ status: 'completed', provider: 'local', fallback: true, cost_usd: 0 });
    expect(gemini.calls).toHaveLength(0);
  });

  it('counts what hits and joins saved at the price the summary cost', async () => {
    const app = await start({});
    const input = 'Savings. A summary paid for once. Served again from the cache.';
    const made = await waitForJob(app, (await app.post('/api/submit', { input })).body.job_id);
    expect((await app.post('/api/submit', { input })).body.cache).toBe('hit');
    const analytics = await waitFor(
      async () => {
        const body = (await app.get('/api/analytics')).body;
        return body.cost_saved_usd > 0 && body.cost_usd > 0 ? body : undefined;
      },
      { what: 'the spend and the saving to be counted' },
    );
    expect(analytics.cost_saved_usd).toBe(made.cost_usd);
    expect(analytics.cost_usd).toBe(made.cost_usd);
  });
});
