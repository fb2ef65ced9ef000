import type { Redis } from 'ioredis';
import {
  HOURLY_FIELDS,
  HOURLY_TTL_SECONDS,
  hourBucket,
  type HourlyField,
} from '../../analytics/hourly-bucket';
import type { RedisKeys } from '../../core/redis/redis-keys';

/** One hour's request counters as Redis holds them. */
export interface HourlyCounts {
  /** `YYYYMMDDHH`, UTC. */
  readonly hour: string;
  readonly counts: Record<HourlyField, number>;
}

/**
 * Reads the per-hour request counters (`analytics:hourly:{YYYYMMDDHH}`) that AnalyticsRepository.flush writes, on the
 * client of the process's role (PersistenceModule).
 */
export class HourlyCountersRepository {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /** Every hour Redis still holds (the last HOURLY_TTL_SECONDS, current hour included), in one pipeline. */
  async recentHours(now = Date.now()): Promise<HourlyCounts[]> {
    const hours = Array.from({ length: HOURLY_TTL_SECONDS / 3_600 + 1 }, (_, i) =>
      hourBucket(now - i * 3_600_000),
    );
    const pipeline = this.redis.pipeline();
    for (const hour of hours) pipeline.hmget(this.keys.analyticsHourly(hour), ...HOURLY_FIELDS);
    const replies = (await pipeline.exec()) ?? [];
    const found: HourlyCounts[] = [];
    hours.forEach((hour, i) => {
      const [error, values] = replies[i] ?? [];
      if (error) throw error;
      const list = values as Array<string | null>;
      if (list.every((value) => value === null)) return;
      const counts = Object.fromEntries(HOURLY_FIELDS.map((field, j) => [field, Number(list[j] ?? 0)]));
      found.push({ hour, counts: counts as Record<HourlyField, number> });
    });
    return found;
  }
}
