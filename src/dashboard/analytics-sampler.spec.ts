import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AnalyticsResponseDto } from '../analytics/analytics-response.dto';
import { RedisUnavailableError } from '../core/redis/redis-connection';
import { AnalyticsSampler } from './analytics-sampler';
import { type DashboardUpdate, HISTORY_WINDOW_MS } from './dashboard-sample';

function analytics(fields: Partial<AnalyticsResponseDto> = {}): AnalyticsResponseDto {
  return {
    total_requests: 0,
    cache_hits: 0,
    archive_hits: 0,
    cache_misses: 0,
    deduplicated: 0,
    hit_rate: 0,
    queue_size: 0,
    jobs_active: 0,
    jobs_completed: 0,
    jobs_failed: 0,
    failure_rate: 0,
    avg_processing_time_ms: 0,
    p95_processing_time_ms: 0,
    ai_calls: 0,
    tokens_used: 0,
    tokens_saved: 0,
    cost_usd: 0,
    cost_saved_usd: 0,
    ai_budget: { daily_usd: null, spent_today_usd: 0, exhausted: false },
    webhooks_delivered: 0,
    webhooks_failed: 0,
    summaries_by_model: {},
    ...fields,
  };
}

/** Stands in for AnalyticsService: answers each read with the next scripted result. */
class ScriptedAnalytics {
  reads = 0;
  next: () => Promise<AnalyticsResponseDto> = () => Promise.resolve(analytics());
  snapshot(): Promise<AnalyticsResponseDto> {
    this.reads += 1;
    return this.next();
  }
  answer(fields: Partial<AnalyticsResponseDto>): this {
    this.next = () => Promise.resolve(analytics(fields));
    return this;
  }
  fail(error: Error): this {
    this.next = () => Promise.reject(error);
    return this;
  }
}

describe('AnalyticsSampler', () => {
  let source: ScriptedAnalytics;
  let sampler: AnalyticsSampler;
  let updates: DashboardUpdate[];
  const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
  const at = async (t: number) => {
    vi.setSystemTime(t);
    await sampler.tick();
  };

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    source = new ScriptedAnalytics();
    sampler = new AnalyticsSampler(source);
    updates = [];
    sampler.subscribe((update) => updates.push(update));
  });
  afterEach(() => {
    sampler.stop();
    vi.useRealTimers();
  });

  it('turns counter changes into requests per second and the hit rate of the interval', async () => {
    await at(T0);
    source.answer({ total_requests: 10, cache_hits: 4, queue_size: 7 });
    await at(T0 + 2_000);
    source.answer({ total_requests: 10, cache_hits: 4, queue_size: 2 });
    await at(T0 + 3_000);

    const { samples } = sampler.history();
    expect(samples).toEqual([
      { t: T0, requests: 0, cache_hits: 0, requests_per_second: 0, hit_rate: null, queue_size: 0 },
      { t: T0 + 2_000, requests: 10, cache_hits: 4, requests_per_second: 5, hit_rate: 0.4, queue_size: 7 },
      { t: T0 + 3_000, requests: 0, cache_hits: 0, requests_per_second: 0, hit_rate: null, queue_size: 2 },
    ]);
    expect(updates.map((update) => update.type)).toEqual(['sample', 'sample', 'sample']);
    expect(updates[1].data).toMatchObject({ analytics: { total_requests: 10, queue_size: 7 } });
    expect(sampler.history().analytics).toMatchObject({ total_requests: 10, queue_size: 2 });
  });

  it('draws no negative rate when the counters go down (analytics keys deleted)', async () => {
    source.answer({ total_requests: 50, cache_hits: 20 });
    await at(T0);
    source.answer({ total_requests: 3, cache_hits: 1 });
    await at(T0 + 1_000);
    source.answer({ total_requests: 5, cache_hits: 2 });
    await at(T0 + 2_000);
    expect(sampler.history().samples.map((s) => [s.requests, s.cache_hits])).toEqual([
      [0, 0],
      [0, 0],
      [2, 1],
    ]);
  });

  it('keeps only the last 15 minutes, and never more than 900 samples however fast it ticks', async () => {
    for (let i = 0; i < 1_500; i++) await at(T0 + i * 100);
    const crowded = sampler.history().samples;
    expect(crowded).toHaveLength(900);
    expect(crowded[0].t).toBe(T0 + 600 * 100);

    await at(T0 + 149_900 + HISTORY_WINDOW_MS - 50);
    const { samples } = sampler.history();
    expect(samples.every((sample) => sample.t >= T0 + 149_900 - 50)).toBe(true);
    expect(samples).toHaveLength(2);

    vi.setSystemTime(T0 + 10 * HISTORY_WINDOW_MS);
    expect(sampler.history().samples).toEqual([]);
  });

  it('skips reads while Redis is away, says since when the figures are stale, and resumes by itself', async () => {
    source.answer({ total_requests: 4 });
    await at(T0);
    source.fail(new RedisUnavailableError());
    await at(T0 + 1_000);
    await at(T0 + 2_000);

    expect(sampler.history().samples).toHaveLength(1);
    const stale = { since: T0 + 1_000, last_sample_at: T0, reason: 'Redis is unavailable' };
    expect(sampler.history().stale).toEqual(stale);
    expect(sampler.history().analytics).toMatchObject({ total_requests: 4 });
    expect(updates.slice(1)).toEqual([
      { type: 'stale', data: stale },
      { type: 'stale', data: stale },
    ]);

    source.answer({ total_requests: 10 });
    await at(T0 + 3_000);
    expect(sampler.history().stale).toBeNull();
    // The requests made during the outage are spread over the time since the last read.
    expect(sampler.history().samples[1]).toMatchObject({ requests: 6, requests_per_second: 2 });
    expect(updates.at(-1)?.type).toBe('sample');
  });

  it('shows no error text to the page for failures that are not Redis outages', async () => {
    source.fail(new Error('secret internals'));
    await at(T0);
    expect(sampler.history().stale).toEqual({
      since: T0,
      last_sample_at: null,
      reason: 'the analytics cannot be read',
    });
  });

  it('does not start a read while the previous one is still out', async () => {
    let answer: (value: AnalyticsResponseDto) => void = () => undefined;
    source.next = () => new Promise((resolve) => (answer = resolve));
    const first = sampler.tick();
    await sampler.tick();
    await sampler.tick();
    expect(source.reads).toBe(1);
    answer(analytics());
    await first;
    source.answer({});
    await sampler.tick();
    expect(source.reads).toBe(2);
  });

  it('keeps publishing to the other subscribers when one throws, and stops at unsubscribe', async () => {
    const seen: string[] = [];
    sampler.subscribe(() => {
      throw new Error('a broken stream');
    });
    const unsubscribe = sampler.subscribe((update) => seen.push(update.type));
    await at(T0);
    unsubscribe();
    await at(T0 + 1_000);
    expect(seen).toEqual(['sample']);
    expect(updates).toHaveLength(2);
  });

  it('reads once at start and then every second until stopped', async () => {
    vi.useFakeTimers();
    sampler.start();
    await vi.advanceTimersByTimeAsync(3_000);
    expect(source.reads).toBe(4);
    sampler.stop();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(source.reads).toBe(4);
  });
});
