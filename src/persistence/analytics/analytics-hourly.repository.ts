import { Inject, Injectable } from '@nestjs/common';
import { type Kysely, sql } from 'kysely';
import { hourBucketStart } from '../../analytics/hourly-bucket';
import type { Database } from '../database/database.types';
import { DATABASE } from '../persistence.constants';
import type { HourlyCounts } from './hourly-counters.repository';

export type BucketSize = 'hour' | 'day';

/** Request counters of one bucket, summed over its hours. */
export interface RequestBucket {
  readonly start: Date;
  readonly cache_hits: number;
  readonly cache_misses: number;
  readonly deduplicated: number;
  readonly archive_hits: number;
  readonly tokens_saved: number;
}

/** Jobs finished in one bucket, from job_history. */
export interface JobBucket {
  readonly start: Date;
  readonly completed: number;
  readonly failed: number;
  readonly p50_ms: number | null;
  readonly p95_ms: number | null;
  readonly tokens_used: number;
}

/** analytics_hourly (request counts per hour) and the per-bucket job aggregates of job_history. */
@Injectable()
export class AnalyticsHourlyRepository {
  constructor(@Inject(DATABASE) private readonly db: Kysely<Database>) {}

  /** Sets (never adds) each hour's counters: copying the same hour again, or a later state of it, is idempotent. */
  async upsert(hours: readonly HourlyCounts[]): Promise<void> {
    if (hours.length === 0) return;
    await this.db
      .insertInto('analytics_hourly')
      .values(
        hours.map(({ hour, counts }) => ({
          bucket: hourBucketStart(hour),
          requests: counts.cache_hits + counts.cache_misses + counts.deduplicated,
          ...counts,
        })),
      )
      .onConflict((conflict) =>
        conflict.column('bucket').doUpdateSet((eb) => ({
          requests: eb.ref('excluded.requests'),
          cache_hits: eb.ref('excluded.cache_hits'),
          cache_misses: eb.ref('excluded.cache_misses'),
          deduplicated: eb.ref('excluded.deduplicated'),
          archive_hits: eb.ref('excluded.archive_hits'),
          tokens_saved: eb.ref('excluded.tokens_saved'),
          updated_at: sql<Date>`now()`,
        })),
      )
      .execute();
  }

  async requestBuckets(size: BucketSize, from: Date, to: Date): Promise<RequestBucket[]> {
    const start = sql<Date>`date_trunc(${size}, bucket, 'UTC')`;
    const rows = await this.db
      .selectFrom('analytics_hourly')
      .select([
        start.as('start'),
        sql<string>`sum(cache_hits)`.as('cache_hits'),
        sql<string>`sum(cache_misses)`.as('cache_misses'),
        sql<string>`sum(deduplicated)`.as('deduplicated'),
        sql<string>`sum(archive_hits)`.as('archive_hits'),
        sql<string>`sum(tokens_saved)`.as('tokens_saved'),
      ])
      .where('bucket', '>=', from)
      .where('bucket', '<', to)
      .groupBy(sql`1`)
      .execute();
    return rows.map((row) => ({
      start: row.start,
      cache_hits: Number(row.cache_hits),
      cache_misses: Number(row.cache_misses),
      deduplicated: Number(row.deduplicated),
      archive_hits: Number(row.archive_hits),
      tokens_saved: Number(row.tokens_saved),
    }));
  }

  /** Jobs by the bucket they finished in: counts, p50/p95 processing time of the completed ones, tokens used. */
  async jobBuckets(size: BucketSize, from: Date, to: Date): Promise<JobBucket[]> {
    const rows = await this.db
      .selectFrom('job_history')
      .select([
        sql<Date>`date_trunc(${size}, finished_at, 'UTC')`.as('start'),
        sql<string>`count(*) filter (where status = 'completed')`.as('completed'),
        sql<string>`count(*) filter (where status = 'failed')`.as('failed'),
        sql<
          number | null
        >`percentile_cont(0.5) within group (order by processing_time_ms) filter (where status = 'completed')`.as(
          'p50_ms',
        ),
        sql<
          number | null
        >`percentile_cont(0.95) within group (order by processing_time_ms) filter (where status = 'completed')`.as(
          'p95_ms',
        ),
        sql<string>`coalesce(sum(total_tokens), 0)`.as('tokens_used'),
      ])
      .where('finished_at', '>=', from)
      .where('finished_at', '<', to)
      .groupBy(sql`1`)
      .execute();
    return rows.map((row) => ({
      start: row.start,
      completed: Number(row.completed),
      failed: Number(row.failed),
      p50_ms: row.p50_ms === null ? null : Math.round(row.p50_ms),
      p95_ms: row.p95_ms === null ? null : Math.round(row.p95_ms),
      tokens_used: Number(row.tokens_used),
    }));
  }

  /** Deletes hours before `cutoff` (a few thousand rows at most: one per hour of retention). */
  async deleteBefore(cutoff: Date): Promise<number> {
    const result = await this.db
      .deleteFrom('analytics_hourly')
      .where('bucket', '<', cutoff)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
