import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Clock } from '../../src/access/clock';
import { SUMMARIZER } from '../../src/ai/summarizer';
import { FakeClock } from '../fakes/fake-clock';
import { TestApiKeys } from '../support/api-keys';
import { ScriptedSummarizer } from '../support/scripted-summarizer';
import {
  deleteKeysWithPrefix,
  startTestApp,
  waitFor,
  waitForJob,
  type JsonResponse,
  type TestApp,
} from '../support/test-app';
import { TEST_REDIS_URL, uniquePrefix } from '../support/test-environment';

const ADMIN_TOKEN = 'admin-token-for-tests-0123456789abcdef';
/** On a 100 ms bucket boundary, so the windows' numbers are exact. */
const T0 = Date.parse('2026-05-01T12:00:00.000Z');

function expectProblem(response: JsonResponse, status: number, detail: RegExp): void {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({ status, title: expect.any(String), type: expect.any(String) });
  expect(response.body.detail).toMatch(detail);
}

describe('API keys and request rates, on two API processes sharing one Redis prefix', () => {
  const prefix = uniquePrefix();
  const clock = new FakeClock(T0);
  const summarizer = new ScriptedSummarizer();
  const keys = new TestApiKeys(prefix);
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    const env = { REDIS_KEY_PREFIX: prefix, API_KEYS_REQUIRED: 'true', ADMIN_TOKEN };
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
    await Promise.all([a.close(), b.close()]);
    keys.close();
    await deleteKeysWithPrefix(TEST_REDIS_URL, prefix);
  });

  it('answers 401 problem details for missing, malformed, over-long and unknown keys, on every API route', async () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{}, /API key is required/],
      [{ authorization: 'Basic dXNlcjpwYXNz' }, /Bearer <key>/],
      [{ authorization: 'Bearer sk_tooShort' }, /Malformed API key/],
      [{ 'x-api-key': `sk_${'é'.repeat(43)}` }, /Malformed API key/],
      [{ authorization: `Bearer sk_${'a'.repeat(500)}` }, /too long/],
      [{ 'x-api-key': `sk_${'A'.repeat(43)}` }, /Unknown API key/],
    ];
    for (const [headers, detail] of cases) {
      for (const app of [a, b]) {
        const submit = await app.post('/api/submit', { input: 'Some text. To summarize.' }, headers);
        expectProblem(submit, 401, detail);
        expect(submit.body).toMatchObject({ type: 'about:blank', title: 'Unauthorized', status: 401 });
        expect(submit.headers['www-authenticate']).toMatch(/^Bearer/);
        expectProblem(await app.get('/api/status/some-job', headers), 401, detail);
        expectProblem(await app.get('/api/usage', headers), 401, detail);
      }
    }
    // An invalid body does not tell an unauthenticated caller more than that it needs a key.
    expectProblem(
      await a.post('/api/submit', { input: '   ' }, { 'x-api-key': `sk_${'B'.repeat(43)}` }),
      401,
      /Unknown/,
    );
  });

  it('keeps /health and /docs open', async () => {
    expect((await a.get('/health')).status).toBe(200);
    expect((await a.get('/docs-json')).status).toBe(200);
    expect((await b.get('/docs')).status).toBe(200);
  });

  it('serves a valid key on both processes, with the RateLimit fields on successful answers', async () => {
    const key = await keys.create({ rpm: 100, dailyJobs: 10 });
    const input = 'A valid key submits this. It is summarized once. Then it is a hit.';
    const miss = await a.post('/api/submit', { input }, key.auth);
    expect(miss).toMatchObject({ status: 202, body: { cache: 'miss' } });
    expect(miss.headers['ratelimit-policy']).toBe('"minute";q=100;w=60, "daily-jobs";q=10;w=86400');
    // The miss made a job: 9 of 10 left today (12 h to midnight UTC).
    expect(miss.headers['ratelimit']).toBe('"minute";r=99;t=61, "daily-jobs";r=9;t=43200');
    await waitForJob({ get: (path) => a.get(path, key.auth) }, miss.body.job_id);
    const hit = await b.post('/api/submit', { input }, { 'x-api-key': key.secret });
    expect(hit).toMatchObject({ status: 200, body: { cache: 'hit' } });
    // A hit leaves the job quota alone: no daily-jobs item (the policy is still listed).
    expect(hit.headers['ratelimit']).toMatch(/^"minute";r=\d+;t=\d+$/);
    expect(hit.headers['ratelimit-policy']).toBe('"minute";q=100;w=60, "daily-jobs";q=10;w=86400');
    const status = await b.get(`/api/status/${miss.body.job_id}`, key.auth);
    expect(status).toMatchObject({ status: 200, body: { status: 'completed' } });
    expect(status.headers['ratelimit']).toMatch(/^"minute";r=\d+;t=\d+/);
  });

  it('refuses the request over the rate with 429, Retry-After and the RateLimit fields, across both processes', async () => {
    clock.set(T0 + 3_600_000);
    const key = await keys.create({ rpm: 3 });
    const answers = [];
    for (let i = 0; i < 5; i++)
      answers.push(await (i % 2 ? b : a).post('/api/submit', { input: `Rate test ${i}. Fine.` }, key.auth));
    expect(answers.map((answer) => answer.status)).toEqual([202, 202, 202, 429, 429]);
    expect(answers.slice(0, 3).map((answer) => answer.headers['ratelimit'])).toEqual([
      '"minute";r=2;t=61, "daily-jobs";r=999;t=39600',
      '"minute";r=1;t=61, "daily-jobs";r=998;t=39600',
      '"minute";r=0;t=61, "daily-jobs";r=997;t=39600',
    ]);
    const refused = answers[3];
    expectProblem(refused, 429, /3 per minute/);
    expect(refused.body).toMatchObject({
      type: 'https://iana.org/assignments/http-problem-types#quota-exceeded',
      'violated-policies': ['minute'],
    });
    // All three were counted at T0+1h: they leave the window 60.1 s later.
    expect(refused.headers['retry-after']).toBe('61');
    expect(refused.headers['ratelimit-policy']).toBe('"minute";q=3;w=60, "daily-jobs";q=1000;w=86400');
    expect(refused.headers['ratelimit']).toBe('"minute";r=0;t=61');
    // Status and usage count against the same window.
    expect((await b.get('/api/usage', key.auth)).status).toBe(429);

    clock.advance(61_000);
    expect((await b.post('/api/submit', { input: 'Rate test 9. Fine.' }, key.auth)).status).toBe(202);
  });

  it('stops a revoked key at once on both processes', async () => {
    const key = await keys.create();
    for (const app of [a, b]) expect((await app.get('/api/usage', key.auth)).status).toBe(200);
    await keys.revoke(key.id);
    for (const app of [a, b]) {
      expectProblem(await app.post('/api/submit', { input: 'Revoked. No more.' }, key.auth), 401, /revoked/);
      expectProblem(await app.get('/api/usage', key.auth), 401, /revoked/);
    }
  });

  it('guards /api/analytics with the admin token, not with API keys', async () => {
    const key = await keys.create();
    expectProblem(await a.get('/api/analytics'), 401, /admin token/);
    expectProblem(await a.get('/api/analytics', key.auth), 401, /admin token/);
    expectProblem(
      await a.get('/api/analytics', { authorization: `Bearer ${ADMIN_TOKEN}x` }),
      401,
      /admin token/,
    );
    expectProblem(await a.get('/api/analytics', { authorization: `Token ${ADMIN_TOKEN}` }), 401, /Bearer/);
    expect((await a.get('/api/analytics', { authorization: `Bearer ${ADMIN_TOKEN}` })).status).toBe(200);
    expect((await b.get('/api/analytics', { authorization: `Bearer ${ADMIN_TOKEN}` })).status).toBe(200);
    // The operator's other routes take the same token; the keys of clients open none of them.
    expectProblem(await a.get('/dashboard', key.auth), 401, /admin token/);
    expect((await a.get('/dashboard', { authorization: `Bearer ${ADMIN_TOKEN}` })).status).toBe(200);
  });

  it('reports a key’s own usage of the day and its limits at /api/usage', async () => {
    clock.set(T0 + 7_200_000);
    const key = await keys.create({ rpm: 50, dailyJobs: 20, name: 'usage' });
    const other = await keys.create();
    const poller = await keys.create();
    const input = 'Usage is counted per key. This key asks three times. The other key once.';
    summarizer.hold();
    const miss = await a.post('/api/submit', { input }, key.auth);
    const joined = await b.post('/api/submit', { input }, key.auth);
    expect([miss.body.cache, joined.body.cache]).toEqual(['miss', 'deduplicated']);
    expect((await b.post('/api/submit', { input }, other.auth)).body.cache).toBe('deduplicated');
    summarizer.release();
    await waitForJob({ get: (path) => a.get(path, poller.auth) }, miss.body.job_id);
    expect((await b.post('/api/submit', { input }, key.auth)).body.cache).toBe('hit');

    // Process b's counts reach Redis within USAGE_FLUSH_MS; every poll is itself a request of the key.
    let polls = 0;
    const usage = await waitFor(
      async () => {
        polls++;
        const answer = await a.get('/api/usage', key.auth);
        return answer.body.hits === 1 && answer.body.deduplicated === 1 ? answer : undefined;
      },
      { what: 'usage counted on both processes' },
    );
    expect(usage.status).toBe(200);
    expect(usage.body).toEqual({
      key_id: key.id,
      name: 'usage',
      cache: 'shared',
      day: '2026-05-01',
      requests: 3 + polls,
      rate_limited: 0,
      hits: 1,
      misses: 1,
      deduplicated: 1,
      jobs: 1,
      limits: { requests_per_minute: 50, daily_jobs: 20 },
      remaining: { requests_this_minute: 50 - 3 - polls, jobs_today: 19 },
    });
    const otherUsage = await waitFor(async () => {
      const answer = await b.get('/api/usage', other.auth);
      return answer.body.deduplicated === 1 ? answer.body : undefined;
    });
    expect(otherUsage).toMatchObject({ misses: 0, hits: 0, jobs: 0, limits: { requests_per_minute: null } });
  });
});

describe('with API keys off', () => {
  it('needs no key, sends no RateLimit fields and leaves /api/analytics open (no ADMIN_TOKEN)', async () => {
    const app = await startTestApp();
    try {
      const answer = await app.post('/api/submit', { input: 'Open as before. No key needed.' });
      expect(answer.status).toBe(202);
      expect(answer.headers['ratelimit']).toBeUndefined();
      expect((await app.get('/api/analytics')).status).toBe(200);
      expect((await app.get(`/api/status/${answer.body.job_id}`)).status).toBe(200);
      expectProblem(await app.get('/api/usage'), 404, /API keys are off/);
    } finally {
      await app.close();
      await deleteKeysWithPrefix(TEST_REDIS_URL, app.env.REDIS_KEY_PREFIX);
    }
  });

  it('limits each client address with RATE_LIMIT_RPM, believing X-Forwarded-For only from TRUST_PROXY', async () => {
    const prefix = uniquePrefix();
    const clock = new FakeClock(T0);
    const start = (trustProxy: string) =>
      startTestApp({
        env: { REDIS_KEY_PREFIX: prefix, RATE_LIMIT_RPM: '2', TRUST_PROXY: trustProxy },
        override: (builder) => builder.overrideProvider(Clock).useValue(clock),
      });
    const direct = await start('false');
    const proxied = await start('loopback');
    try {
      const from = (ip: string) => ({ 'x-forwarded-for': ip });
      const statuses = async (app: TestApp, headers: Record<string, string>, n: number) => {
        const result = [];
        for (let i = 0; i < n; i++) result.push((await app.get('/api/status/nope', headers)).status);
        return result;
      };
      // Behind a trusted proxy each forwarded address has its own window (404: the job does not exist; not 429).
      expect(await statuses(proxied, from('198.51.100.1'), 3)).toEqual([404, 404, 429]);
      expect(await statuses(proxied, from('198.51.100.2'), 2)).toEqual([404, 404]);
      // Not trusted: the header is ignored and the socket's address (127.0.0.1) is limited, on the submit route too.
      expect(await statuses(direct, from('198.51.100.3'), 2)).toEqual([404, 404]);
      const refused = await direct.post(
        '/api/submit',
        { input: 'One too many. From loopback.' },
        from('203.0.113.9'),
      );
      expectProblem(refused, 429, /2 per minute for this client address/);
      expect(refused.headers['ratelimit-policy']).toBe('"minute";q=2;w=60');
    } finally {
      await Promise.all([direct.close(), proxied.close()]);
      await deleteKeysWithPrefix(TEST_REDIS_URL, prefix);
    }
  });
});

describe('operator routes with API keys on and no ADMIN_TOKEN', () => {
  it('are closed to everyone, keys included, saying why', async () => {
    const prefix = uniquePrefix();
    const keys = new TestApiKeys(prefix);
    const app = await startTestApp({ env: { REDIS_KEY_PREFIX: prefix, API_KEYS_REQUIRED: 'true' } });
    try {
      const key = await keys.create();
      for (const path of ['/api/analytics', '/dashboard']) {
        expectProblem(await app.get(path), 401, /no ADMIN_TOKEN is set/);
        expectProblem(await app.get(path, key.auth), 401, /no ADMIN_TOKEN is set/);
      }
    } finally {
      await app.close();
      keys.close();
      await deleteKeysWithPrefix(TEST_REDIS_URL, prefix);
    }
  });
});
