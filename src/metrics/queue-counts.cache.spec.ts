import { describe, expect, it } from 'vitest';
import type { QueueState } from '../jobs/summarize-job.repository';
import { QUEUE_COUNTS_MAX_AGE_MS, QueueCountsCache } from './queue-counts.cache';

const counts = (completed: number): Record<QueueState, number> => ({
  waiting: 0,
  active: 0,
  delayed: 0,
  failed: 0,
  completed,
});

describe('QueueCountsCache', () => {
  it('answers a flood of scrapes within a second with one read, and reads again after it', async () => {
    let now = 10_000;
    let reads = 0;
    const cache = new QueueCountsCache(
      () => Promise.resolve(counts(++reads)),
      () => now,
    );
    const flood = await Promise.all(Array.from({ length: 100 }, () => cache.countsByState()));
    expect(reads).toBe(1);
    expect(new Set(flood.map((c) => c?.completed))).toEqual(new Set([1]));
    now += QUEUE_COUNTS_MAX_AGE_MS - 1;
    expect((await cache.countsByState())?.completed).toBe(1);
    now += 1;
    expect((await cache.countsByState())?.completed).toBe(2);
    expect(reads).toBe(2);
  });

  it('shares a read still in flight', async () => {
    let release: (value: Record<QueueState, number>) => void = () => undefined;
    let reads = 0;
    const cache = new QueueCountsCache(() => {
      reads++;
      return new Promise((resolve) => (release = resolve));
    });
    const pending = [cache.countsByState(), cache.countsByState(), cache.countsByState()];
    release(counts(7));
    expect((await Promise.all(pending)).map((c) => c?.completed)).toEqual([7, 7, 7]);
    expect(reads).toBe(1);
  });

  it('answers undefined when the read fails, and does not keep the failure', async () => {
    let fail = true;
    let reads = 0;
    const cache = new QueueCountsCache(() => {
      reads++;
      return fail ? Promise.reject(new Error('Redis is away')) : Promise.resolve(counts(3));
    });
    expect(await cache.countsByState()).toBeUndefined();
    fail = false;
    expect((await cache.countsByState())?.completed).toBe(3);
    expect(reads).toBe(2);
  });
});
