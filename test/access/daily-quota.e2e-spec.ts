import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Clock } from '../../src/access/clock';
import { SUMMARIZER } from '../../src/ai/summarizer';
import { RedisKeys } from '../../src/core/redis/redis-keys';
import { FakeClock } from '../fakes/fake-clock';
import { TestApiKeys } from '../support/api-keys';
import { ScriptedSummarizer } from '../support/scripted-summarizer';
import { deleteKeysWithPrefix, startTestApp, waitForJob, type TestApp } from '../support/test-app';
import { TEST_REDIS_URL, uniquePrefix } from '../support/test-environment';

describe('the daily quota of new AI jobs per key (injected clock, two API processes)', () => {
  const prefix = uniquePrefix();
  const clock = new FakeClock(Date.parse('2026-05-01T23:59:58.000Z'));
  const summarizer = new ScriptedSummarizer();
  const keys = new TestApiKeys(prefix);
  const redis = new Redis(TEST_REDIS_URL);
  const redisKeys = new RedisKeys(prefix);
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    const env = { REDIS_KEY_PREFIX: prefix, API_KEYS_REQUIRED: 'true', DAILY_JOB_LIMIT: '5' };
    a = await startTestApp({
      env,
      override: (builder) =>
        builder.overrideProvider(SUMMARIZER).useValue(summarizer).overrideProvider(Clock).useValue(clock),
    });
    b = await startTestApp({
      env: { ...env, PROCESS_ROLE: 'api' },
      override: (builder) =>
        builder
          .overrideProvider(SUMMARIZER)
          .useValue(new ScriptedSummarizer())
          .overrideProvider(Clock)
          .useValue(clock),
    });
  });
  afterAll(async () => {
    summarizer.release();
    await Promise.all([a.close(), b.close()]);
    keys.close();
    redis.disconnect();
    await deleteKeysWithPrefix(TEST_REDIS_URL, prefix);
  });

  it('counts only new jobs, lets joins through when the quota is used up, and starts over at UTC midnight', async () => {
    const key = await keys.create({ dailyJobs: 2 });
    const jobsOn = (day: string) => redis.get(redisKeys.dailyJobs(key.id, day)).then(Number);
    const submit = (app: TestApp, input: string) => app.post('/api/submit', { input }, key.auth);
    const [first, second, third] = [
      'First input. It runs.',
      'Second input. It runs too.',
      'Third input. Over.',
    ];
    summarizer.hold();

    expect((await submit(a, first)).body.cache).toBe('miss');
    // A join of the running job is refunded: still one job today.
    expect((await submit(b, first)).body.cache).toBe('deduplicated');
    expect(await jobsOn('2026-05-01')).toBe(1);
    const secondJob = await submit(b, second);
    expect(secondJob.body.cache).toBe('miss');
    expect(secondJob.headers['ratelimit-policy']).toBe('"daily-jobs";q=2;w=86400');
    expect(secondJob.headers['ratelimit']).toBe('"daily-jobs";r=0;t=2');
    expect(await jobsOn('2026-05-01')).toBe(2);

    const refused = await submit(a, third);
    expect(refused.status).toBe(429);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({
      type: 'https://iana.org/assignments/http-problem-types#quota-exceeded',
      status: 429,
      'violated-policies': ['daily-jobs'],
      detail: expect.stringMatching(/2 of its 2 new AI jobs today/),
    });
    // Two seconds to midnight UTC.
    expect(refused.headers['retry-after']).toBe('2');
    expect(refused.headers['ratelimit']).toBe('"daily-jobs";r=0;t=2');
    expect(await jobsOn('2026-05-01')).toBe(2);

    // Used up, but joining a job that is running makes none: allowed, on either process.
    expect((await submit(b, first)).body.cache).toBe('deduplicated');
    expect((await submit(a, second)).body.cache).toBe('deduplicated');

    summarizer.release();
    await waitForJob({ get: (path) => a.get(path, key.auth) }, secondJob.body.job_id);
    // Hits never count.
    expect((await submit(b, second)).status).toBe(200);
    expect((await submit(a, third)).status).toBe(429);

    clock.set('2026-05-02T00:00:00.000Z');
    const nextDay = await submit(b, third);
    expect(nextDay).toMatchObject({ status: 202, body: { cache: 'miss' } });
    expect(nextDay.headers['ratelimit']).toBe('"daily-jobs";r=1;t=86400');
    expect(await jobsOn('2026-05-02')).toBe(1);
    expect(await jobsOn('2026-05-01')).toBe(2);
    const usage = await a.get('/api/usage', key.auth);
    expect(usage.body).toMatchObject({ day: '2026-05-02', jobs: 1, remaining: { jobs_today: 1 } });
  });

  it('uses DAILY_JOB_LIMIT for keys without their own quota, and none for --daily-jobs 0', async () => {
    clock.set('2026-05-03T08:00:00.000Z');
    // Jobs stay running, so every accepted miss answers 202 (a job that completed before the submit path's second
    // cache read would answer 200, a hit: accepted all the same, but not what this test counts).
    summarizer.hold();
    const byDefault = await keys.create();
    const unlimited = await keys.create({ dailyJobs: 0 });
    const statuses = async (auth: Record<string, string>, n: number) => {
      const result = [];
      for (let i = 0; i < n; i++)
        result.push(
          (await a.post('/api/submit', { input: `Quota ${i} ${auth.authorization}.` }, auth)).status,
        );
      return result;
    };
    expect(await statuses(byDefault.auth, 6)).toEqual([202, 202, 202, 202, 202, 429]);
    expect(await statuses(unlimited.auth, 8)).toEqual(Array<number>(8).fill(202));
    // Counted all the same, for /api/usage.
    expect((await a.get('/api/usage', unlimited.auth)).body).toMatchObject({
      jobs: 8,
      limits: { daily_jobs: null },
      remaining: { jobs_today: null },
    });
  });
  describe('in a batch', () => {
    const day = '2026-05-07';
    const untilMidnight = 12 * 3_600;
    const quotaProblem = {
      type: 'https://iana.org/assignments/http-problem-types#quota-exceeded',
      title: 'Quota exceeded',
      status: 429,
      'violated-policies': ['daily-jobs'],
      'retry-after': untilMidnight,
    };

    it('refuses only the items over the quota (in input order), answers the rest, and lets hits and joins through once it is used up', async () => {
      clock.set(`${day}T12:00:00.000Z`);
      // Jobs of earlier tests may be held: let them end, then cache one input under another key's quota.
      summarizer.release();
      const key = await keys.create({ dailyJobs: 3 });
      const other = await keys.create({ dailyJobs: 0 });
      const jobsToday = () => redis.get(redisKeys.dailyJobs(key.id, day)).then(Number);
      const input = (name: string) => `Batch quota ${name}. It has a sentence.`;
      const cachedJob = await a.post('/api/submit', { input: input('cached') }, other.auth);
      await waitForJob({ get: (path) => a.get(path, other.auth) }, cachedJob.body.job_id);
      // From here every job stays running (pending or processing), so nothing turns into a hit meanwhile.
      summarizer.hold();
      const running = await a.post('/api/submit', { input: input('running') }, key.auth);
      expect(running).toMatchObject({ status: 202, body: { cache: 'miss' } });
      expect(await jobsToday()).toBe(1);

      // Two jobs left. Every new input reserves at once, in input order; the join of the running job gives its
      // reservation back, and an input refused in that first round gets a second try once the rest have settled.
      const batch = await a.post(
        '/api/submit/batch',
        {
          inputs: [
            input('first'),
            input('cached'),
            input('running'),
            input('second'),
            input('third'),
            input('first'),
            '  ',
            input('fourth'),
          ],
        },
        key.auth,
      );
      expect(batch.status).toBe(200);
      const [first, cached, joined, second, third, firstAgain, blank, fourth] = batch.body.results;
      expect(first).toMatchObject({ cache: 'miss', job_id: expect.any(String) });
      expect(cached).toMatchObject({ status: 'completed', cache: 'hit' });
      expect(joined).toMatchObject({ cache: 'deduplicated', job_id: running.body.job_id });
      expect(second).toMatchObject({ cache: 'miss', job_id: expect.any(String) });
      expect(third).toEqual({
        status: 'error',
        error: { ...quotaProblem, detail: expect.stringMatching(/3 of its 3 new AI jobs today/) },
      });
      // Used up by then: an input equal to an earlier item joins that item's job.
      expect(firstAgain).toMatchObject({ cache: 'deduplicated', job_id: first.job_id });
      expect(blank).toMatchObject({ status: 'error', error: { status: 400 } });
      expect(fourth).toEqual(third);
      expect(await jobsToday()).toBe(3);
      // The batch's answer says where the key stands; the refusals' Retry-After is in their bodies.
      expect(batch.headers['ratelimit']).toBe(`"daily-jobs";r=0;t=${untilMidnight}`);
      expect(batch.headers['retry-after']).toBeUndefined();

      // A single submit of a refused input answers the very problem the batch item carries.
      const single = await b.post('/api/submit', { input: input('third') }, key.auth);
      expect(single.status).toBe(429);
      expect(single.headers['retry-after']).toBe(String(untilMidnight));
      expect(single.body).toEqual({
        ...third.error,
        instance: '/api/submit',
        request_id: expect.any(String),
      });

      // Used up: hits and joins still answer, on the other process too; anything new is refused alone.
      const after = await b.post(
        '/api/submit/batch',
        { inputs: [input('cached'), input('running'), input('second'), input('fifth')] },
        key.auth,
      );
      expect(after.status).toBe(200);
      expect(after.body.results).toEqual([
        expect.objectContaining({ status: 'completed', cache: 'hit' }),
        expect.objectContaining({ cache: 'deduplicated', job_id: running.body.job_id }),
        expect.objectContaining({ cache: 'deduplicated', job_id: second.job_id }),
        { status: 'error', error: expect.objectContaining(quotaProblem) },
      ]);
      expect(await jobsToday()).toBe(3);
      // A batch the quota refused entirely is answered all the same, and says where the key stands.
      const refused = await a.post('/api/submit/batch', { inputs: [input('fifth')] }, key.auth);
      expect(refused).toMatchObject({ status: 200, body: { results: [{ status: 'error' }] } });
      expect(refused.headers['ratelimit']).toBe(`"daily-jobs";r=0;t=${untilMidnight}`);

      // The refused items made no job: once the running jobs have ended, they are new (misses) to another key.
      summarizer.release();
      for (const { job_id: jobId } of [running.body, first, second])
        await waitForJob({ get: (path) => a.get(path, key.auth) }, jobId);
      for (const name of ['third', 'fourth', 'fifth'])
        expect((await a.post('/api/submit', { input: input(name) }, other.auth)).body.cache).toBe('miss');
    });

    it('answers 429 to the whole batch over the request rate: the request itself is refused', async () => {
      clock.set(`${day}T13:00:00.000Z`);
      summarizer.hold();
      const key = await keys.create({ rpm: 1, dailyJobs: 1 });
      const inputs = ['Batch rate one. A sentence.', 'Batch rate two. A sentence.'];
      const within = await a.post('/api/submit/batch', { inputs }, key.auth);
      expect(within.status).toBe(200);
      expect(within.body.results).toEqual([
        expect.objectContaining({ cache: 'miss' }),
        {
          status: 'error',
          error: expect.objectContaining({ status: 429, 'violated-policies': ['daily-jobs'] }),
        },
      ]);
      const over = await b.post('/api/submit/batch', { inputs }, key.auth);
      expect(over.status).toBe(429);
      // Counted at 13:00:00.000: the request leaves the window 60.1 s later.
      expect(over.body).toMatchObject({ status: 429, 'violated-policies': ['minute'], 'retry-after': 61 });
      expect(over.headers['retry-after']).toBe('61');
      // Items that are not even inputs do not get past the rate either.
      expect((await a.post('/api/submit/batch', { inputs: [42] }, key.auth)).status).toBe(429);
    });
  });
});
