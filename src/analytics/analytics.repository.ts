import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { SummarizeJobResult } from '../core/queue/summarize-job';
import { REDIS_CLIENT } from '../core/redis/redis.constants';
import { RedisKeys } from '../core/redis/redis-keys';
import { HOURLY_FIELDS, HOURLY_TTL_SECONDS, hourBucket, type HourlyField } from './hourly-bucket';

/** How a submission was answered; each is one counter. */
export type RequestOutcome = 'hit' | 'miss' | 'deduplicated';

const OUTCOME_FIELD: Record<RequestOutcome, CounterField> = {
  hit: 'cache_hits',
  miss: 'cache_misses',
  deduplicated: 'deduplicated',
};

/** The p95 is taken over this many latest jobs, so the list stays small whatever the traffic. */
export const PROCESSING_TIME_WINDOW = 1_000;
const DEDUP_WAITING_TTL_SECONDS = 86_400;
/** How long counts wait in memory before they are written (at most; one write per interval and process). */
export const ANALYTICS_FLUSH_MS = 100;

const COUNTER_FIELDS = [
  'cache_hits',
  'cache_misses',
  'deduplicated',
  'archive_hits',
  'jobs_completed',
  'jobs_failed',
  'processing_ms_total',
  'ai_calls',
  'tokens_used',
  'tokens_saved',
] as const;
export type CounterField = (typeof COUNTER_FIELDS)[number];
const HOURLY_COUNTED: ReadonlySet<CounterField> = new Set<HourlyField>(HOURLY_FIELDS);

export interface AnalyticsCounters {
  readonly counters: Record<CounterField, number>;
  /** Latest processing times, newest first, at most {@link PROCESSING_TIME_WINDOW}. */
  readonly recentProcessingMs: number[];
  /** `{provider}/{model}` → summaries made. */
  readonly summariesByModel: Record<string, number>;
}

export interface CompletedJob {
  readonly jobId: string;
  readonly processingMs: number;
  readonly aiCalls: number;
  readonly tokensUsed: number;
  /** Tokens a cache inside the job avoided (the content-level cache of URL inputs). */
  readonly tokensSaved: number;
  readonly result: SummarizeJobResult;
}

/** What this process has counted and not yet written. */
class PendingCounts {
  readonly counters = new Map<CounterField, number>();
  /** `{provider}/{model}` → summaries made. */
  readonly models = new Map<string, number>();
  /** Processing times of completed jobs, oldest first. */
  readonly processingMs: number[] = [];
  /** Job id → deduplicated submissions that joined it (API side). */
  readonly joinedJobs = new Map<string, number>();
  /** Jobs that ended (worker side), with what each deduplicated submission that joined it saved. */
  readonly endedJobs: Array<{ readonly jobId: string; readonly tokensPerServe: number }> = [];

  add(field: CounterField, n: number): void {
    if (n !== 0) this.counters.set(field, (this.counters.get(field) ?? 0) + n);
  }

  get isEmpty(): boolean {
    return this.counters.size === 0 && this.joinedJobs.size === 0 && this.endedJobs.length === 0;
  }
}

/**
 * Counters in Redis, so every API and worker process adds to and reports the same numbers.
 *
 * Counting never makes the caller wait and adds no Redis command to a request or a job: counts are added up in
 * memory and written every {@link ANALYTICS_FLUSH_MS} in one transaction (flush), so a busy process sends about ten
 * small MULTIs a second whatever its traffic. Counts show up in the analytics that much later; a process's own reads
 * flush first. Counts the API cannot write while Redis is away are logged and dropped (its client fails fast); the
 * workers' client waits out the outage.
 */
@Injectable()
export class AnalyticsRepository implements OnApplicationShutdown {
  private readonly logger = new Logger(AnalyticsRepository.name);
  private pending = new PendingCounts();
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /**
   * @param tokensSaved tokens the cache hit avoided (the recorded usage of the entry served)
   * @param jobId for a deduplicated submission, the job it joined; its tokens are counted as saved when it completes
   * @param archiveHit the hit was served from the PostgreSQL archive (counted in archive_hits and in cache_hits)
   */
  recordRequest(
    outcome: RequestOutcome,
    {
      tokensSaved = 0,
      jobId,
      archiveHit = false,
    }: { tokensSaved?: number; jobId?: string; archiveHit?: boolean } = {},
  ): void {
    this.pending.add(OUTCOME_FIELD[outcome], 1);
    if (archiveHit) this.pending.add('archive_hits', 1);
    this.pending.add('tokens_saved', tokensSaved);
    if (outcome === 'deduplicated' && jobId)
      this.pending.joinedJobs.set(jobId, (this.pending.joinedJobs.get(jobId) ?? 0) + 1);
    this.scheduleFlush();
  }

  recordJobCompleted({ jobId, processingMs, aiCalls, tokensUsed, tokensSaved, result }: CompletedJob): void {
    const model = `${result.provider}/${result.model}`;
    this.pending.add('jobs_completed', 1);
    this.pending.add('processing_ms_total', Math.round(processingMs));
    this.pending.add('ai_calls', aiCalls);
    this.pending.add('tokens_used', tokensUsed);
    this.pending.add('tokens_saved', tokensSaved);
    this.pending.models.set(model, (this.pending.models.get(model) ?? 0) + 1);
    this.pending.processingMs.push(Math.round(processingMs));
    this.pending.endedJobs.push({ jobId, tokensPerServe: result.usage?.totalTokens ?? 0 });
    this.scheduleFlush();
  }

  /** Calls a failed attempt still made (and paid for). */
  recordAiUsage(calls: number, tokens: number): void {
    this.pending.add('ai_calls', calls);
    this.pending.add('tokens_used', tokens);
    this.scheduleFlush();
  }

  recordJobFailed(jobId: string): void {
    this.pending.add('jobs_failed', 1);
    this.pending.endedJobs.push({ jobId, tokensPerServe: 0 });
    this.scheduleFlush();
  }

  /** Writes what this process has counted (one MULTI). Never throws: a failed write is logged. */
  async flush(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const pending = this.pending;
    if (pending.isEmpty) return;
    this.pending = new PendingCounts();
    const counters = this.keys.analyticsCounters();
    // The same counts per UTC hour, in the same MULTI (no round trip of their own), for the analytics over time.
    const hourly = this.keys.analyticsHourly(hourBucket(Date.now()));
    const multi = this.redis.multi();
    for (const [field, n] of pending.counters) {
      multi.hincrby(counters, field, n);
      if (HOURLY_COUNTED.has(field)) multi.hincrby(hourly, field, n);
    }
    multi.expire(hourly, HOURLY_TTL_SECONDS);
    for (const [model, n] of pending.models) multi.hincrby(this.keys.analyticsModels(), model, n);
    if (pending.processingMs.length > 0) {
      multi
        .lpush(this.keys.analyticsProcessingTimes(), ...pending.processingMs)
        .ltrim(this.keys.analyticsProcessingTimes(), 0, PROCESSING_TIME_WINDOW - 1);
    }
    for (const [jobId, n] of pending.joinedJobs) {
      const joined = this.keys.analyticsDedupWaiting(jobId);
      multi.incrby(joined, n).expire(joined, DEDUP_WAITING_TTL_SECONDS);
    }
    // Last, so their replies are the last ones: how many submissions joined each job that ended.
    for (const { jobId } of pending.endedJobs) multi.getdel(this.keys.analyticsDedupWaiting(jobId));
    try {
      const replies = (await multi.exec()) ?? [];
      const joinedReplies = replies.slice(replies.length - pending.endedJobs.length);
      const savedByJoiners = pending.endedJobs.reduce(
        (sum, { tokensPerServe }, i) => sum + Number(joinedReplies[i]?.[1] ?? 0) * tokensPerServe,
        0,
      );
      if (savedByJoiners > 0) {
        await this.redis
          .multi()
          .hincrby(counters, 'tokens_saved', savedByJoiners)
          .hincrby(hourly, 'tokens_saved', savedByJoiners)
          .expire(hourly, HOURLY_TTL_SECONDS)
          .exec();
      }
    } catch (error) {
      this.logger.warn(
        { err: error, counts: Object.fromEntries(pending.counters) },
        'could not write analytics counts',
      );
    }
  }

  /**
   * The last counts, once the worker has finished its jobs and the HTTP server has closed (both happen before this
   * hook), and before the Redis clients close (RedisModule is global: its shutdown hook runs last).
   */
  async onApplicationShutdown(): Promise<void> {
    await this.flush();
  }

  private scheduleFlush(): void {
    this.flushTimer ??= setTimeout(() => void this.flush(), ANALYTICS_FLUSH_MS).unref();
  }

  /** What every process has written, this process's own counts included (flushed first). */
  async read(): Promise<AnalyticsCounters> {
    await this.flush();
    const [values, times, models] = await Promise.all([
      this.redis.hmget(this.keys.analyticsCounters(), ...COUNTER_FIELDS),
      this.redis.lrange(this.keys.analyticsProcessingTimes(), 0, PROCESSING_TIME_WINDOW - 1),
      this.redis.hgetall(this.keys.analyticsModels()),
    ]);
    const counters = Object.fromEntries(COUNTER_FIELDS.map((field, i) => [field, Number(values[i] ?? 0)]));
    return {
      counters: counters as Record<CounterField, number>,
      recentProcessingMs: times.map(Number),
      summariesByModel: Object.fromEntries(Object.entries(models).map(([model, n]) => [model, Number(n)])),
    };
  }
}
