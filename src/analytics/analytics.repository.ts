import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../core/redis/redis-keys';
import { LogThrottle } from '../core/runtime/log-throttle';
import { HOURLY_FIELDS, HOURLY_TTL_SECONDS, hourBucket, type HourlyField } from './hourly-bucket';
import type { SummarizeJobResult } from '../jobs/summarize-job';
import type { MetricsRegistry } from '../metrics/metrics.registry';

/** `YYYY-MM-DD` of a moment, in UTC. */
export function utcDayOf(now: Date): string {
  return now.toISOString().slice(0, 10);
}

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
/** How long an ended job's tokens-per-serve is kept for joins counted after it ended (they arrive within seconds). */
const ENDED_JOB_TTL_SECONDS = 3_600;

/**
 * Tokens (and cost) saved by submissions that joined a running job are known only when the job ends, and the join
 * and the end are counted by different processes, each in its own batch: either may reach Redis first. These two
 * scripts make the order irrelevant (hand-written: the check and the credit must be one atomic step). A join credits
 * the job's savings at once if it has ended, else waits in a counter; an end credits the waiting joins and leaves its
 * savings per serve (`"<tokens> <nano-USD>"`) for joins still on their way.
 *   KEYS: waiting counter of the job, savings per serve of the ended job, the counters hash, the current hour's hash
 *   ARGV: joins (or tokens per serve), the TTL of what waits, the hour hash's TTL, (end only) nano-USD per serve
 *   Both return the tokens they credited, which the process that ran them adds to its Prometheus counter.
 */
const CREDIT_SAVED = `
local function credit(tokens, nanos)
  if tokens > 0 then
    redis.call('HINCRBY', KEYS[3], 'tokens_saved', tokens)
    redis.call('HINCRBY', KEYS[4], 'tokens_saved', tokens)
    redis.call('EXPIRE', KEYS[4], ARGV[3])
  end
  if nanos > 0 then redis.call('HINCRBY', KEYS[3], 'cost_saved_nanousd', nanos) end
end
`;
const CREDIT_JOIN = `${CREDIT_SAVED}
local perServe = redis.call('GET', KEYS[2])
if perServe then
  local tokens, nanos = string.match(perServe, '^(%d+) (%d+)$')
  if not tokens then tokens, nanos = perServe, '0' end
  tokens = tonumber(tokens) * tonumber(ARGV[1])
  credit(tokens, tonumber(nanos) * tonumber(ARGV[1]))
  return tokens
end
redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 0`;
const CREDIT_END = `${CREDIT_SAVED}
local waiting = tonumber(redis.call('GETDEL', KEYS[1]) or '0')
local tokens = waiting * tonumber(ARGV[1])
credit(tokens, waiting * tonumber(ARGV[4]))
redis.call('SET', KEYS[2], ARGV[1] .. ' ' .. ARGV[4], 'EX', ARGV[2])
return tokens`;

/** The scripts above as ioredis commands, so they go into the batch's MULTI. */
interface CreditCommands {
  analyticsCreditJoin(...args: [string, string, string, string, number, number, number]): unknown;
  analyticsCreditEnd(...args: [string, string, string, string, number, number, number, number]): unknown;
}

/** Costs are counted in whole nano-USD, so Redis adds them exactly (HINCRBY) in any order. */
const NANOS_PER_USD = 1e9;
export const toNanoUsd = (usd: number | null | undefined): number =>
  usd && usd > 0 ? Math.round(usd * NANOS_PER_USD) : 0;
/** Nano-USD as USD, to the micro-dollar. */
export const fromNanoUsd = (nanos: number): number => Math.round(nanos / 1_000) / 1_000_000;
/** How long a day's AI spend is kept (the budget reads only today's). */
const AI_SPEND_TTL_SECONDS = 3 * 86_400;
/** How long counts wait in memory before they are written (at most; one write per interval and process). */
export const ANALYTICS_FLUSH_MS = 100;
/** After a failed write, the next attempt waits this long (Redis away or full: no point hammering it). */
const RETRY_FLUSH_MS = 1_000;
/** Unwritten jobs kept for a retry, at most; past this the oldest are dropped (and that is logged). */
const MAX_RETAINED_JOBS = 10_000;

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
  'cost_nanousd',
  'cost_saved_nanousd',
  'webhooks_delivered',
  'webhooks_failed',
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
  /** What the job's remote AI calls cost (USD). */
  readonly costUsd: number;
  /** What a cache inside the job avoided paying (USD). */
  readonly costSavedUsd: number;
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
  readonly endedJobs: Array<{
    readonly jobId: string;
    readonly tokensPerServe: number;
    readonly nanoUsdPerServe: number;
  }> = [];
  /** Remote AI spend by UTC day (nano-USD), for AI_DAILY_BUDGET_USD. */
  readonly aiSpend = new Map<string, number>();

  add(field: CounterField, n: number): void {
    if (n !== 0) this.counters.set(field, (this.counters.get(field) ?? 0) + n);
  }

  get isEmpty(): boolean {
    return (
      this.counters.size === 0 &&
      this.joinedJobs.size === 0 &&
      this.endedJobs.length === 0 &&
      this.aiSpend.size === 0
    );
  }

  /**
   * Takes back counts a failed write did not store, ahead of the ones counted since. Bounded: the processing-time
   * list is capped anyway, and at most {@link MAX_RETAINED_JOBS} job entries are kept. Returns how many were dropped.
   */
  absorb(unwritten: PendingCounts): number {
    for (const [field, n] of unwritten.counters) this.add(field, n);
    for (const [model, n] of unwritten.models) this.models.set(model, (this.models.get(model) ?? 0) + n);
    for (const [day, n] of unwritten.aiSpend) this.aiSpend.set(day, (this.aiSpend.get(day) ?? 0) + n);
    this.processingMs.unshift(...unwritten.processingMs);
    this.processingMs.splice(0, Math.max(0, this.processingMs.length - PROCESSING_TIME_WINDOW));
    for (const [jobId, n] of unwritten.joinedJobs)
      this.joinedJobs.set(jobId, (this.joinedJobs.get(jobId) ?? 0) + n);
    this.endedJobs.unshift(...unwritten.endedJobs);
    let dropped = this.endedJobs.splice(0, Math.max(0, this.endedJobs.length - MAX_RETAINED_JOBS)).length;
    for (const jobId of this.joinedJobs.keys()) {
      if (this.joinedJobs.size <= MAX_RETAINED_JOBS) break;
      this.joinedJobs.delete(jobId);
      dropped++;
    }
    return dropped;
  }
}

/**
 * Counters in Redis, so every API and worker process adds to and reports the same numbers.
 *
 * Counting never makes the caller wait and adds no Redis command to a request or a job: counts are added up in
 * memory and written every {@link ANALYTICS_FLUSH_MS} in one transaction (flush), so a busy process sends about ten
 * small MULTIs a second whatever its traffic. Counts show up in the analytics that much later; a process's own reads
 * flush first. A write Redis refused or never received (away, full) is kept, bounded, and retried a second later;
 * only a write whose reply was lost (a timeout: it may have been applied) is dropped, to never count twice.
 */
export class AnalyticsRepository implements OnApplicationShutdown {
  private readonly logger = new Logger(AnalyticsRepository.name);
  private pending = new PendingCounts();
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly failureLog = new LogThrottle(10_000);

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    /** Also counts the tokens saved in `smartcache_cache_tokens_saved_total` (per process, in memory). */
    private readonly metrics?: Pick<MetricsRegistry, 'countTokensSaved'>,
  ) {
    redis.defineCommand('analyticsCreditJoin', { numberOfKeys: 4, lua: CREDIT_JOIN });
    redis.defineCommand('analyticsCreditEnd', { numberOfKeys: 4, lua: CREDIT_END });
  }

  /**
   * @param tokensSaved tokens the cache hit avoided (the recorded usage of the entry served)
   * @param jobId for a deduplicated submission, the job it joined; its tokens are counted as saved when it completes
   * @param archiveHit the hit was served from the PostgreSQL archive (counted in archive_hits and in cache_hits)
   * @param costSavedUsd what the hit avoided paying: what the summary served cost when it was made
   */
  recordRequest(
    outcome: RequestOutcome,
    {
      tokensSaved = 0,
      costSavedUsd = 0,
      jobId,
      archiveHit = false,
    }: { tokensSaved?: number; costSavedUsd?: number; jobId?: string; archiveHit?: boolean } = {},
  ): void {
    this.pending.add(OUTCOME_FIELD[outcome], 1);
    if (archiveHit) this.pending.add('archive_hits', 1);
    this.pending.add('tokens_saved', tokensSaved);
    this.pending.add('cost_saved_nanousd', toNanoUsd(costSavedUsd));
    this.metrics?.countTokensSaved(tokensSaved);
    if (outcome === 'deduplicated' && jobId)
      this.pending.joinedJobs.set(jobId, (this.pending.joinedJobs.get(jobId) ?? 0) + 1);
    this.scheduleFlush();
  }

  recordJobCompleted({
    jobId,
    processingMs,
    aiCalls,
    tokensUsed,
    tokensSaved,
    costUsd,
    costSavedUsd,
    result,
  }: CompletedJob): void {
    const model = `${result.provider}/${result.model}`;
    this.pending.add('jobs_completed', 1);
    this.pending.add('processing_ms_total', Math.round(processingMs));
    this.pending.add('ai_calls', aiCalls);
    this.pending.add('tokens_used', tokensUsed);
    this.pending.add('tokens_saved', tokensSaved);
    this.metrics?.countTokensSaved(tokensSaved);
    this.addSpend(costUsd);
    this.pending.add('cost_saved_nanousd', toNanoUsd(costSavedUsd));
    this.pending.models.set(model, (this.pending.models.get(model) ?? 0) + 1);
    this.pending.processingMs.push(Math.round(processingMs));
    this.pending.endedJobs.push({
      jobId,
      tokensPerServe: result.usage?.totalTokens ?? 0,
      nanoUsdPerServe: toNanoUsd(result.cost_usd),
    });
    this.scheduleFlush();
  }

  /** Calls a failed attempt still made (and paid for). */
  recordAiUsage(calls: number, tokens: number, costUsd = 0): void {
    this.pending.add('ai_calls', calls);
    this.pending.add('tokens_used', tokens);
    this.addSpend(costUsd);
    this.scheduleFlush();
  }

  recordJobFailed(jobId: string): void {
    this.pending.add('jobs_failed', 1);
    this.pending.endedJobs.push({ jobId, tokensPerServe: 0, nanoUsdPerServe: 0 });
    this.scheduleFlush();
  }

  /**
   * Today's (UTC) remote AI spend in USD, across every process: what Redis holds plus this process's unwritten
   * spend. One GET; read by workers before a job may start a remote call (AI_DAILY_BUDGET_USD).
   */
  async aiSpendTodayUsd(now = new Date()): Promise<number> {
    const day = utcDayOf(now);
    const stored = Number((await this.redis.get(this.keys.analyticsAiSpend(day))) ?? 0);
    return fromNanoUsd(stored + (this.pending.aiSpend.get(day) ?? 0));
  }

  private addSpend(costUsd: number): void {
    const nanos = toNanoUsd(costUsd);
    if (nanos === 0) return;
    this.pending.add('cost_nanousd', nanos);
    const day = utcDayOf(new Date());
    this.pending.aiSpend.set(day, (this.pending.aiSpend.get(day) ?? 0) + nanos);
  }

  /** A webhook delivery that succeeded, or that failed for good (after its attempts, or at once when refused). */
  recordWebhook(outcome: 'delivered' | 'failed'): void {
    this.pending.add(outcome === 'delivered' ? 'webhooks_delivered' : 'webhooks_failed', 1);
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
    for (const [day, n] of pending.aiSpend) {
      const spend = this.keys.analyticsAiSpend(day);
      multi.incrby(spend, n).expire(spend, AI_SPEND_TTL_SECONDS);
    }
    if (pending.processingMs.length > 0) {
      multi
        .lpush(this.keys.analyticsProcessingTimes(), ...pending.processingMs)
        .ltrim(this.keys.analyticsProcessingTimes(), 0, PROCESSING_TIME_WINDOW - 1);
    }
    const credits = multi as unknown as CreditCommands;
    for (const [jobId, n] of pending.joinedJobs) {
      const [waiting, ended] = [this.keys.analyticsDedupWaiting(jobId), this.keys.analyticsEndedJob(jobId)];
      credits.analyticsCreditJoin(
        waiting,
        ended,
        counters,
        hourly,
        n,
        DEDUP_WAITING_TTL_SECONDS,
        HOURLY_TTL_SECONDS,
      );
    }
    for (const { jobId, tokensPerServe, nanoUsdPerServe } of pending.endedJobs) {
      const [waiting, ended] = [this.keys.analyticsDedupWaiting(jobId), this.keys.analyticsEndedJob(jobId)];
      credits.analyticsCreditEnd(
        waiting,
        ended,
        counters,
        hourly,
        tokensPerServe,
        ENDED_JOB_TTL_SECONDS,
        HOURLY_TTL_SECONDS,
        nanoUsdPerServe,
      );
    }
    const creditCount = pending.joinedJobs.size + pending.endedJobs.length;
    try {
      const replies = await multi.exec();
      // The credit scripts come last; each answers the tokens it credited (the joins' savings, known only now).
      if (creditCount > 0 && this.metrics) {
        for (const [, tokens] of replies?.slice(-creditCount) ?? [])
          this.metrics.countTokensSaved(Number(tokens));
      }
    } catch (error) {
      const retried = !/timed out/i.test((error as Error).message);
      const dropped = retried ? this.pending.absorb(pending) : 0;
      const logged = this.failureLog.take();
      if (logged) {
        this.logger.warn(
          {
            err: error,
            retried,
            dropped,
            suppressed: logged.suppressed,
            counts: Object.fromEntries(pending.counters),
          },
          retried
            ? 'could not write analytics counts; will retry'
            : 'analytics write timed out; dropped (may be applied)',
        );
      }
      if (retried) this.flushTimer ??= setTimeout(() => void this.flush(), RETRY_FLUSH_MS).unref();
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
