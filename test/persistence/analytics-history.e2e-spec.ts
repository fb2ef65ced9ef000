import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUMMARIZER } from '../../src/ai/summarizer';
import { AnalyticsHistoryService } from '../../src/persistence/analytics/analytics-history.service';
import { TestDatabase } from '../support/postgres';
import { SCRIPTED_USAGE, ScriptedSummarizer } from '../support/scripted-summarizer';
import { deleteKeysWithPrefix, startTestApp, waitFor, waitForJob, type TestApp } from '../support/test-app';
import { TEST_REDIS_URL } from '../support/test-environment';

type Bucket = Record<string, number | string | null>;

describe('GET /api/analytics/history: requests from the hour buckets, jobs from the history (real PostgreSQL)', () => {
  let db: TestDatabase;
  let api: TestApp;

  beforeAll(async () => {
    db = await TestDatabase.create();
    api = await startTestApp({
      env: { DATABASE_URL: db.url },
      override: (b) => b.overrideProvider(SUMMARIZER).useValue(new ScriptedSummarizer()),
    });
    // 3 misses (3 jobs), then 2 hits on the first input.
    const inputs = [
      'Analytics one. Two sentences.',
      'Analytics two. Two sentences.',
      'Analytics three. Two.',
    ];
    for (const input of inputs) {
      const { body } = await api.post('/api/submit', { input });
      await waitForJob(api, body.job_id);
    }
    for (let i = 0; i < 2; i++)
      expect((await api.post('/api/submit', { input: inputs[0] })).status).toBe(200);
    await waitFor(async () => ((await db.count('job_history')) === 3 ? true : undefined), { what: '3 rows' });
    // What the scheduled job does every minute: copy the Redis hour buckets (this process's counts flushed first).
    // GET /api/analytics flushes the API's own counts; the workers' were flushed on their 100 ms timer.
    await waitFor(
      async () => ((await api.get('/api/analytics')).body.total_requests === 5 ? true : undefined),
      {
        what: '5 requests counted',
      },
    );
    expect(await api.app.get(AnalyticsHistoryService).copyHourlyCounters()).toBeGreaterThan(0);
  });
  afterAll(async () => {
    await api?.close();
    await db?.drop();
    if (api) await deleteKeysWithPrefix(TEST_REDIS_URL, api.env.REDIS_KEY_PREFIX);
  });

  /** Sums a field over every bucket (the test may straddle an hour or a day boundary). */
  const total = (items: Bucket[], field: string) =>
    items.reduce((sum, item) => sum + Number(item[field] ?? 0), 0);

  it.each(['hour', 'day'])('counts requests, jobs and tokens per %s', async (bucket) => {
    const { status, body } = await api.get(`/api/analytics/history?bucket=${bucket}`);
    expect(status).toBe(200);
    expect(body.items).toHaveLength(bucket === 'hour' ? 24 : 30);
    expect(body.bucket).toBe(bucket);
    const items = body.items as Bucket[];
    expect(total(items, 'requests')).toBe(5);
    expect(total(items, 'cache_hits')).toBe(2);
    expect(total(items, 'cache_misses')).toBe(3);
    expect(total(items, 'deduplicated')).toBe(0);
    expect(total(items, 'archive_hits')).toBe(0);
    expect(total(items, 'jobs_completed')).toBe(3);
    expect(total(items, 'jobs_failed')).toBe(0);
    expect(total(items, 'tokens_used')).toBe(3 * SCRIPTED_USAGE.totalTokens);
    expect(total(items, 'tokens_saved')).toBe(2 * SCRIPTED_USAGE.totalTokens);
    const busy = items.filter((item) => Number(item.jobs_completed) > 0);
    for (const item of busy) {
      expect(item.p50_processing_time_ms).toEqual(expect.any(Number));
      expect(Number(item.p95_processing_time_ms)).toBeGreaterThanOrEqual(Number(item.p50_processing_time_ms));
    }
    // Oldest first, one bucket apart, ending at the current one.
    const starts = items.map((item) => Date.parse(String(item.start)));
    const step = bucket === 'hour' ? 3_600_000 : 86_400_000;
    expect(starts.slice(1).every((start, i) => start - starts[i] === step)).toBe(true);
    expect(starts.at(-1)! + step).toBeGreaterThan(Date.now());
  });

  it('copies the hour buckets idempotently: the same hour copied again is set, not added', async () => {
    const read = () =>
      db.query('select bucket, requests, cache_hits, tokens_saved from analytics_hourly order by 1');
    const before = await read();
    await api.app.get(AnalyticsHistoryService).copyHourlyCounters();
    await api.app.get(AnalyticsHistoryService).copyHourlyCounters();
    expect(await read()).toEqual(before);
  });

  it('takes an explicit range, rounded out to whole buckets', async () => {
    const { status, body } = await api.get(
      '/api/analytics/history?bucket=day&from=2026-01-01T05:00:00Z&to=2026-01-03T01:00:00Z',
    );
    expect(status).toBe(200);
    expect(body.from).toBe('2026-01-01T00:00:00.000Z');
    expect(body.to).toBe('2026-01-04T00:00:00.000Z');
    expect(body.items.map((item: Bucket) => item.start)).toEqual([
      '2026-01-01T00:00:00.000Z',
      '2026-01-02T00:00:00.000Z',
      '2026-01-03T00:00:00.000Z',
    ]);
  });

  it.each([
    ['bucket=week', 'bucket'],
    ['from=last-monday', 'from'],
    ['to=2026-13-01', 'to'],
    ['from=2026-01-02&to=2026-01-01', 'from'],
    ['bucket=hour&from=2026-01-01&to=2026-03-01', 'bucket=day'],
    ['bucket=day&from=2020-01-01&to=2026-01-01', 'narrow'],
    ['period=day', 'period'],
  ])('answers 400 for %s', async (query, mention) => {
    const { status, body } = await api.get(`/api/analytics/history?${query}`);
    expect(status).toBe(400);
    expect(String(body.detail)).toContain(mention);
  });
});
