import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS_CLIENT } from '../core/redis/redis.constants';
import { RedisKeys } from '../core/redis/redis-keys';

/** How a submission was answered; each is one counter. */
export type RequestOutcome = 'hit' | 'miss' | 'deduplicated';

const OUTCOME_FIELD: Record<RequestOutcome, string> = {
  hit: 'cache_hits',
  miss: 'cache_misses',
  deduplicated: 'deduplicated',
};

/** The p95 is taken over this many latest jobs, so the list stays small whatever the traffic. */
export const PROCESSING_TIME_WINDOW = 1_000;

export interface AnalyticsCounters {
  readonly cacheHits: number;
  readonly cacheMisses: number;
  readonly deduplicated: number;
  readonly jobsCompleted: number;
  readonly jobsFailed: number;
  readonly processingMsTotal: number;
  /** Latest processing times, newest first, at most {@link PROCESSING_TIME_WINDOW}. */
  readonly recentProcessingMs: number[];
}

/** Counters in one Redis hash, so every API and worker process adds to and reports the same numbers. */
@Injectable()
export class AnalyticsRepository {
  private readonly logger = new Logger(AnalyticsRepository.name);

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /**
   * Counts a request without making the caller wait: the HINCRBY rides in the next auto-pipelined batch, so
   * analytics add no round trip to the request path. A lost increment while Redis is away is only logged.
   */
  recordRequest(outcome: RequestOutcome): void {
    this.redis.hincrby(this.keys.analyticsCounters(), OUTCOME_FIELD[outcome], 1).catch((error: unknown) => {
      this.logger.warn({ err: error, outcome }, 'could not count a request');
    });
  }

  async recordJobCompleted(processingMs: number): Promise<void> {
    await this.redis
      .multi()
      .hincrby(this.keys.analyticsCounters(), 'jobs_completed', 1)
      .hincrby(this.keys.analyticsCounters(), 'processing_ms_total', Math.round(processingMs))
      .lpush(this.keys.analyticsProcessingTimes(), Math.round(processingMs))
      .ltrim(this.keys.analyticsProcessingTimes(), 0, PROCESSING_TIME_WINDOW - 1)
      .exec();
  }

  async recordJobFailed(): Promise<void> {
    await this.redis.hincrby(this.keys.analyticsCounters(), 'jobs_failed', 1);
  }

  async read(): Promise<AnalyticsCounters> {
    const [counters, times] = await Promise.all([
      this.redis.hmget(
        this.keys.analyticsCounters(),
        'cache_hits',
        'cache_misses',
        'deduplicated',
        'jobs_completed',
        'jobs_failed',
        'processing_ms_total',
      ),
      this.redis.lrange(this.keys.analyticsProcessingTimes(), 0, PROCESSING_TIME_WINDOW - 1),
    ]);
    const [cacheHits, cacheMisses, deduplicated, jobsCompleted, jobsFailed, processingMsTotal] = counters.map(
      (value) => Number(value ?? 0),
    );
    return {
      cacheHits,
      cacheMisses,
      deduplicated,
      jobsCompleted,
      jobsFailed,
      processingMsTotal,
      recentProcessingMs: times.map(Number),
    };
  }
}
