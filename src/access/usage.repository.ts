import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REQUEST_REDIS } from '../core/redis/redis.constants';
import { RedisKeys } from '../core/redis/redis-keys';
import { Clock, utcDay } from './clock';

export const USAGE_FIELDS = ['requests', 'rate_limited', 'hits', 'misses', 'deduplicated'] as const;
export type UsageField = (typeof USAGE_FIELDS)[number];
export type UsageCounts = Record<UsageField, number>;

/** Counts wait in memory at most this long before they are written (one MULTI per interval and process). */
export const USAGE_FLUSH_MS = 100;
/** A day's usage is kept two days. */
const USAGE_TTL_SECONDS = 2 * 86_400;

/**
 * Per-key usage of a UTC day (`usage:{id}:{day}`): requests, rate-limited requests, hits, misses, deduplicated. Counted
 * in memory and written every {@link USAGE_FLUSH_MS} in one MULTI, as AnalyticsRepository does, so counting adds no
 * command to a request; other processes' counts show up that much later, this process's own are flushed before a
 * read. Counts that cannot be written while Redis is away are logged and dropped.
 */
@Injectable()
export class UsageRepository implements OnApplicationShutdown {
  private readonly logger = new Logger(UsageRepository.name);
  /**
   * Day → key id → counts not yet written. Nested rather than keyed by the Redis key: `record` runs twice on every
   * request with keys on, and building and hashing a key string each time cost more than the counting.
   */
  private pending = new Map<string, Map<string, UsageCounts>>();
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(REQUEST_REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly clock: Clock,
  ) {}

  record(keyId: string, field: UsageField): void {
    const day = utcDay(this.clock.now());
    let ofDay = this.pending.get(day);
    if (!ofDay) this.pending.set(day, (ofDay = new Map<string, UsageCounts>()));
    let counts = ofDay.get(keyId);
    if (!counts)
      ofDay.set(keyId, (counts = { requests: 0, rate_limited: 0, hits: 0, misses: 0, deduplicated: 0 }));
    counts[field]++;
    this.flushTimer ??= setTimeout(() => void this.flush(), USAGE_FLUSH_MS).unref();
  }

  /** Writes this process's counts. Never throws: a failed write is logged. */
  async flush(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const pending = this.pending;
    if (pending.size === 0) return;
    this.pending = new Map();
    const multi = this.redis.multi();
    for (const [day, ofDay] of pending) {
      for (const [keyId, counts] of ofDay) {
        const key = this.keys.usage(keyId, day);
        for (const field of USAGE_FIELDS) if (counts[field] > 0) multi.hincrby(key, field, counts[field]);
        multi.expire(key, USAGE_TTL_SECONDS);
      }
    }
    try {
      await multi.exec();
    } catch (error) {
      this.logger.warn({ err: error }, 'could not write API key usage counts');
    }
  }

  /** A key's counts of a day, from every process (this one's flushed first). */
  async read(keyId: string, day: string): Promise<UsageCounts> {
    await this.flush();
    const values = await this.redis.hmget(this.keys.usage(keyId, day), ...USAGE_FIELDS);
    return Object.fromEntries(USAGE_FIELDS.map((field, i) => [field, Number(values[i] ?? 0)])) as UsageCounts;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flush();
  }
}
