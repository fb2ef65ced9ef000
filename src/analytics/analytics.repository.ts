import { type BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { SummarizeJobResult } from '../core/queue/summarize-job';
import { REDIS_CLIENT } from '../core/redis/redis.constants';
import { RedisKeys } from '../core/redis/redis-keys';

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
/** How long request counts wait in memory before they are written (at most; one write per interval and process). */
export const REQUEST_COUNTS_FLUSH_MS = 100;

interface PendingRequestCounts {
  readonly counters: Map<CounterField, number>;
  /** Job id → deduplicated submissions that joined it. */
  readonly dedupWaiting: Map<string, number>;
}

const emptyRequestCounts = (): PendingRequestCounts => ({ counters: new Map(), dedupWaiting: new Map() });

const COUNTER_FIELDS = [
  'cache_hits',
  'cache_misses',
  'deduplicated',
  'jobs_completed',
  'jobs_failed',
  'processing_ms_total',
  'ai_calls',
  'tokens_used',
  'tokens_saved',
] as const;
export type CounterField = (typeof COUNTER_FIELDS)[number];

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

/** Counters in Redis, so every API and worker process adds to and reports the same numbers. */
@Injectable()
export class AnalyticsRepository implements BeforeApplicationShutdown {
  private readonly logger = new Logger(AnalyticsRepository.name);
  private pendingRequests = emptyRequestCounts();
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /**
   * Counts a request without making the caller wait or adding a Redis command to the request: counts are added up in
   * memory and written every {@link REQUEST_COUNTS_FLUSH_MS} in one transaction (flushRequestCounts). Counts a process
   * holds show up that much later in other processes' analytics; this process's own reads flush first. Counts that
   * cannot be written while Redis is away are logged and dropped, like any write the request path could not make.
   *
   * @param tokensSaved tokens the cache hit avoided (the recorded usage of the entry served)
   * @param jobId for a deduplicated submission, the job it joined; its tokens are counted as saved when it completes
   */
  recordRequest(
    outcome: RequestOutcome,
    { tokensSaved = 0, jobId }: { tokensSaved?: number; jobId?: string } = {},
  ): void {
    const pending = this.pendingRequests;
    const field = OUTCOME_FIELD[outcome];
    pending.counters.set(field, (pending.counters.get(field) ?? 0) + 1);
    if (tokensSaved > 0)
      pending.counters.set('tokens_saved', (pending.counters.get('tokens_saved') ?? 0) + tokensSaved);
    if (outcome === 'deduplicated' && jobId)
      pending.dedupWaiting.set(jobId, (pending.dedupWaiting.get(jobId) ?? 0) + 1);
    this.flushTimer ??= setTimeout(() => void this.flushRequestCounts(), REQUEST_COUNTS_FLUSH_MS).unref();
  }

  /** Writes the request counts held in memory (one MULTI). Never throws: a failed write is logged. */
  async flushRequestCounts(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const { counters, dedupWaiting } = this.pendingRequests;
    if (counters.size === 0 && dedupWaiting.size === 0) return;
    this.pendingRequests = emptyRequestCounts();
    const key = this.keys.analyticsCounters();
    const multi = this.redis.multi();
    for (const [field, n] of counters) multi.hincrby(key, field, n);
    for (const [jobId, n] of dedupWaiting) {
      const waiting = this.keys.analyticsDedupWaiting(jobId);
      multi.incrby(waiting, n).expire(waiting, DEDUP_WAITING_TTL_SECONDS);
    }
    try {
      await multi.exec();
    } catch (error) {
      this.logger.warn({ err: error, counts: Object.fromEntries(counters) }, 'could not count requests');
    }
  }

  /** The last counts reach Redis before the Redis clients close (they close in onApplicationShutdown). */
  async beforeApplicationShutdown(): Promise<void> {
    await this.flushRequestCounts();
  }

  async recordJobCompleted({
    jobId,
    processingMs,
    aiCalls,
    tokensUsed,
    tokensSaved,
    result,
  }: CompletedJob): Promise<void> {
    const counters = this.keys.analyticsCounters();
    const waitingKey = this.keys.analyticsDedupWaiting(jobId);
    const ms = Math.round(processingMs);
    const replies = await this.redis
      .multi()
      .hincrby(counters, 'jobs_completed', 1)
      .hincrby(counters, 'processing_ms_total', ms)
      .hincrby(counters, 'ai_calls', aiCalls)
      .hincrby(counters, 'tokens_used', tokensUsed)
      .hincrby(counters, 'tokens_saved', tokensSaved)
      .hincrby(this.keys.analyticsModels(), `${result.provider}/${result.model}`, 1)
      .lpush(this.keys.analyticsProcessingTimes(), ms)
      .ltrim(this.keys.analyticsProcessingTimes(), 0, PROCESSING_TIME_WINDOW - 1)
      .getdel(waitingKey)
      .exec();
    const deduplicated = Number(replies?.at(-1)?.[1] ?? 0);
    const tokensPerServe = result.usage?.totalTokens ?? 0;
    if (deduplicated > 0 && tokensPerServe > 0) {
      await this.redis.hincrby(counters, 'tokens_saved', deduplicated * tokensPerServe);
    }
  }

  /** Calls a failed attempt still made (and paid for). */
  async recordAiUsage(calls: number, tokens: number): Promise<void> {
    if (calls === 0 && tokens === 0) return;
    await this.redis
      .multi()
      .hincrby(this.keys.analyticsCounters(), 'ai_calls', calls)
      .hincrby(this.keys.analyticsCounters(), 'tokens_used', tokens)
      .exec();
  }

  async recordJobFailed(jobId: string): Promise<void> {
    await this.redis
      .multi()
      .hincrby(this.keys.analyticsCounters(), 'jobs_failed', 1)
      .del(this.keys.analyticsDedupWaiting(jobId))
      .exec();
  }

  /** What every process has written, plus this process's own request counts (flushed first). */
  async read(): Promise<AnalyticsCounters> {
    await this.flushRequestCounts();
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
