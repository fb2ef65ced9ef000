import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ANALYTICS_FLUSH_MS, AnalyticsRepository } from '../../src/analytics/analytics.repository';
import type { SummarizeJobResult } from '../../src/jobs/summarize-job';
import { hourBucket } from '../../src/analytics/hourly-bucket';
import { RedisKeys } from '../../src/core/redis/redis-keys';
import { deleteKeysWithPrefix, waitFor } from '../support/test-app';
import { TEST_REDIS_URL, uniquePrefix } from '../support/test-environment';

const RESULT: SummarizeJobResult = {
  summary: 'One. Two.',
  tags: ['a', 'b'],
  input_type: 'text',
  provider: 'gemini',
  model: 'gemini-2.5-flash',
  usage: { inputTokens: 300, outputTokens: 50, totalTokens: 350 },
  fallback: false,
};

describe('analytics counted in memory and written in batches (real Redis)', () => {
  const redis = new Redis(TEST_REDIS_URL);
  let prefix: string;
  let keys: RedisKeys;
  let api: AnalyticsRepository;
  let worker: AnalyticsRepository;

  beforeEach(() => {
    prefix = uniquePrefix();
    keys = new RedisKeys(prefix);
    // Two processes' worth of repositories on one Redis: an API's and a worker's.
    api = new AnalyticsRepository(redis, keys);
    worker = new AnalyticsRepository(redis, keys);
  });
  afterEach(async () => {
    await Promise.all([api.onApplicationShutdown(), worker.onApplicationShutdown()]);
    await deleteKeysWithPrefix(TEST_REDIS_URL, prefix);
  });
  afterAll(() => redis.disconnect());

  const counters = async () => redis.hgetall(keys.analyticsCounters());

  it('writes nothing per request, then every count of the interval in one go', async () => {
    for (let i = 0; i < 50; i++) api.recordRequest('hit', { tokensSaved: 10 });
    api.recordRequest('miss');
    expect(await counters()).toEqual({});
    const written = await waitFor(
      async () => {
        const values = await counters();
        return values.cache_hits ? values : undefined;
      },
      { timeoutMs: ANALYTICS_FLUSH_MS * 20, what: 'the batched write' },
    );
    expect(written).toEqual({ cache_hits: '50', cache_misses: '1', tokens_saved: '500' });
  });

  it('adds the request counts to the current UTC hour in the same write, for the analytics over time', async () => {
    const before = Date.now();
    for (let i = 0; i < 3; i++) api.recordRequest('hit', { tokensSaved: 10, archiveHit: i === 0 });
    api.recordRequest('deduplicated', { jobId: 'job-9' });
    await api.flush();
    // The flush and this read may straddle an hour: the counts are in one of the two hours.
    const hours = [...new Set([hourBucket(before), hourBucket(Date.now())])];
    const found = await Promise.all(hours.map((hour) => redis.hgetall(keys.analyticsHourly(hour))));
    expect(found.filter((values) => Object.keys(values).length > 0)).toEqual([
      { cache_hits: '3', archive_hits: '1', deduplicated: '1', tokens_saved: '30' },
    ]);
    const hour = hours.find((_, i) => Object.keys(found[i]).length > 0)!;
    expect(await redis.ttl(keys.analyticsHourly(hour))).toBeGreaterThan(86_400);
    expect(await counters()).toMatchObject({ cache_hits: '3', archive_hits: '1', deduplicated: '1' });
  });

  it("includes a process's own pending counts in what it reads", async () => {
    api.recordRequest('deduplicated', { jobId: 'job-1' });
    const { counters: read } = await api.read();
    expect(read.deduplicated).toBe(1);
  });

  it('counts the tokens saved by submissions that joined a job when the job completes', async () => {
    api.recordRequest('deduplicated', { jobId: 'job-7' });
    api.recordRequest('deduplicated', { jobId: 'job-7' });
    await api.flush();
    worker.recordJobCompleted({
      jobId: 'job-7',
      processingMs: 120,
      aiCalls: 1,
      tokensUsed: 350,
      tokensSaved: 0,
      costUsd: 0,
      costSavedUsd: 0,
      result: RESULT,
    });
    await worker.flush();
    const { counters: read, recentProcessingMs, summariesByModel } = await api.read();
    expect(read).toMatchObject({ deduplicated: 2, jobs_completed: 1, ai_calls: 1, tokens_used: 350 });
    expect(read.tokens_saved).toBe(700);
    expect(recentProcessingMs).toEqual([120]);
    expect(summariesByModel).toEqual({ 'gemini/gemini-2.5-flash': 1 });
    expect(await redis.exists(keys.analyticsDedupWaiting('job-7'))).toBe(0);
  });

  it('credits joins that reach Redis after their job ended (each process writes in its own batch)', async () => {
    worker.recordJobCompleted({
      jobId: 'job-8',
      processingMs: 50,
      aiCalls: 1,
      tokensUsed: 350,
      tokensSaved: 0,
      costUsd: 0,
      costSavedUsd: 0,
      result: RESULT,
    });
    await worker.flush();
    api.recordRequest('deduplicated', { jobId: 'job-8' });
    api.recordRequest('deduplicated', { jobId: 'job-8' });
    await api.flush();
    const { counters: read } = await api.read();
    expect(read).toMatchObject({ deduplicated: 2, tokens_saved: 700 });
    expect(await redis.exists(keys.analyticsDedupWaiting('job-8'))).toBe(0);
  });

  it('keeps the newest processing times first, and failed jobs drop what joined them', async () => {
    for (const ms of [10, 20, 30]) {
      worker.recordJobCompleted({
        jobId: `job-${ms}`,
        processingMs: ms,
        aiCalls: 0,
        tokensUsed: 0,
        tokensSaved: 0,
        costUsd: 0,
        costSavedUsd: 0,
        result: { ...RESULT, usage: null },
      });
    }
    api.recordRequest('deduplicated', { jobId: 'job-failed' });
    await api.flush();
    worker.recordAiUsage(2, 90);
    worker.recordJobFailed('job-failed');
    await worker.flush();
    const { counters: read, recentProcessingMs } = await api.read();
    expect(recentProcessingMs).toEqual([30, 20, 10]);
    expect(read).toMatchObject({
      jobs_completed: 3,
      jobs_failed: 1,
      ai_calls: 2,
      tokens_used: 90,
      tokens_saved: 0,
    });
    expect(await redis.exists(keys.analyticsDedupWaiting('job-failed'))).toBe(0);
  });

  it('writes what is left when the application shuts down', async () => {
    api.recordRequest('hit');
    await api.onApplicationShutdown();
    expect(await counters()).toEqual({ cache_hits: '1' });
  });
});
