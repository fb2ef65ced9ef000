import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { SummarizeJobResult } from '../core/queue/summarize-job';
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
const DEDUP_WAITING_TTL_SECONDS = 86_400;

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
export class AnalyticsRepository {
  private readonly logger = new Logger(AnalyticsRepository.name);

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /**
   * Counts a request without making the caller wait: the commands ride in the next auto-pipelined batch, so
   * analytics add no round trip to the request path. A lost increment while Redis is away is only logged.
   *
   * @param tokensSaved tokens the cache hit avoided (the recorded usage of the entry served)
   * @param jobId for a deduplicated submission, the job it joined; its tokens are counted as saved when it completes
   */
  recordRequest(
    outcome: RequestOutcome,
    { tokensSaved = 0, jobId }: { tokensSaved?: number; jobId?: string } = {},
  ) {
    const warn = (error: unknown) => this.logger.warn({ err: error, outcome }, 'could not count a request');
    const counters = this.keys.analyticsCounters();
    this.redis.hincrby(counters, OUTCOME_FIELD[outcome], 1).catch(warn);
    if (tokensSaved > 0) this.redis.hincrby(counters, 'tokens_saved', tokensSaved).catch(warn);
    if (outcome === 'deduplicated' && jobId) {
      const waiting = this.keys.analyticsDedupWaiting(jobId);
      this.redis.incr(waiting).catch(warn);
      this.redis.expire(waiting, DEDUP_WAITING_TTL_SECONDS).catch(warn);
    }
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

  async read(): Promise<AnalyticsCounters> {
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
