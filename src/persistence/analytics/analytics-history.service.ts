import { Injectable, ServiceUnavailableException } from '@nestjs/common';
import { withDeadline } from '../../core/runtime/with-deadline';
import type { AnalyticsBucketDto, AnalyticsHistoryDto } from './analytics-history.dto';
import type { AnalyticsHistoryQuery } from './analytics-history-query';
import { AnalyticsHourlyRepository } from './analytics-hourly.repository';
import { HourlyCountersRepository } from './hourly-counters.repository';

/** Longest wait for the two aggregate queries of one answer. */
const QUERY_TIMEOUT_MS = 10_000;
const BUCKET_MS = { hour: 3_600_000, day: 86_400_000 } as const;

/**
 * Analytics over time: request counts per hour (Redis hour buckets, copied into analytics_hourly by a scheduled job)
 * joined with the job history (completed, failed, p50/p95, tokens) per hour or day.
 */
@Injectable()
export class AnalyticsHistoryService {
  constructor(
    private readonly hourly: AnalyticsHourlyRepository,
    private readonly counters: HourlyCountersRepository,
  ) {}

  async history({ bucket, from, to }: AnalyticsHistoryQuery): Promise<AnalyticsHistoryDto> {
    let requests, jobs;
    try {
      [requests, jobs] = await withDeadline(
        Promise.all([this.hourly.requestBuckets(bucket, from, to), this.hourly.jobBuckets(bucket, from, to)]),
        QUERY_TIMEOUT_MS,
        () => new Error('timed out'),
      );
    } catch (error) {
      throw new ServiceUnavailableException('PostgreSQL is unavailable; try again shortly', { cause: error });
    }
    const requestsAt = new Map(requests.map((row) => [row.start.getTime(), row]));
    const jobsAt = new Map(jobs.map((row) => [row.start.getTime(), row]));
    const items: AnalyticsBucketDto[] = [];
    // Every bucket of the range, empty ones included, so a chart needs no gap filling (at most MAX_BUCKETS).
    for (let start = from.getTime(); start < to.getTime(); start += BUCKET_MS[bucket]) {
      const r = requestsAt.get(start);
      const j = jobsAt.get(start);
      items.push({
        start: new Date(start).toISOString(),
        requests: (r?.cache_hits ?? 0) + (r?.cache_misses ?? 0) + (r?.deduplicated ?? 0),
        cache_hits: r?.cache_hits ?? 0,
        cache_misses: r?.cache_misses ?? 0,
        deduplicated: r?.deduplicated ?? 0,
        archive_hits: r?.archive_hits ?? 0,
        jobs_completed: j?.completed ?? 0,
        jobs_failed: j?.failed ?? 0,
        p50_processing_time_ms: j?.p50_ms ?? null,
        p95_processing_time_ms: j?.p95_ms ?? null,
        tokens_used: j?.tokens_used ?? 0,
        tokens_saved: r?.tokens_saved ?? 0,
      });
    }
    return { bucket, from: from.toISOString(), to: to.toISOString(), items };
  }

  /**
   * The scheduled copy: every hour Redis still holds, finished ones and the current one, set into analytics_hourly.
   * Returns how many hours were copied.
   */
  async copyHourlyCounters(): Promise<number> {
    const hours = await this.counters.recentHours();
    await this.hourly.upsert(hours);
    return hours.length;
  }
}
