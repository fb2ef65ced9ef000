/**
 * Every Redis key the service writes, in one place; the README's key design is this file.
 * `prefix` is REDIS_KEY_PREFIX (empty by default), so `summary:{hash}` is the key in a default deployment.
 */
export class RedisKeys {
  constructor(private readonly prefix: string) {}

  /** STRING, JSON of the cached summary; expires after CACHE_TTL. */
  summary(hash: string): string {
    return `${this.prefix}summary:${hash}`;
  }

  /** HASH of request and job counters (cache_hits, cache_misses, deduplicated, jobs_completed, …); never expires. */
  analyticsCounters(): string {
    return `${this.prefix}analytics:counters`;
  }

  /** LIST of the latest processing times in ms (capped), for the p95. */
  analyticsProcessingTimes(): string {
    return `${this.prefix}analytics:processing_ms`;
  }

  /** HASH `{provider}/{model}` → summaries it made, so the analytics say who produced what. */
  analyticsModels(): string {
    return `${this.prefix}analytics:models`;
  }

  /**
   * STRING counter of submissions deduplicated onto a job still running; when it completes, each one is counted as
   * the tokens it saved. Expires in a day so a counter a crash left behind does not stay.
   */
  analyticsDedupWaiting(jobId: string): string {
    return `${this.prefix}analytics:dedup_waiting:${jobId}`;
  }

  /**
   * STRING: tokens each submission that joined an ended job saved (its recorded usage), for joins counted after the
   * job ended. Expires in an hour.
   */
  analyticsEndedJob(jobId: string): string {
    return `${this.prefix}analytics:ended_job:${jobId}`;
  }

  /**
   * STRING counter of what remote AI cost on a UTC day (`YYYY-MM-DD`), in nano-USD: the spend AI_DAILY_BUDGET_USD is
   * checked against, by every worker. Expires three days later.
   */
  analyticsAiSpend(day: string): string {
    return `${this.prefix}analytics:ai_spend:${day}`;
  }

  /**
   * HASH of request counters (cache_hits, cache_misses, deduplicated, archive_hits, tokens_saved) of one UTC hour,
   * `hour` as YYYYMMDDHH; copied into PostgreSQL's analytics_hourly. Expires after a few days.
   */
  analyticsHourly(hour: string): string {
    return `${this.prefix}analytics:hourly:${hour}`;
  }

  /**
   * STREAM of finished jobs (with the cache entries they wrote) on their way to PostgreSQL; consumer group
   * `history-writer`. Entries leave once written (XACK + XDEL).
   */
  historyOutbox(): string {
    return `${this.prefix}history:outbox`;
  }

  /**
   * SET of the webhook deliveries waiting for a summarize job to end (their ids). The worker that ends the job takes
   * them and starts them at once; a delivery whose set is lost (or expired) still goes out at its next re-check.
   */
  webhookRegistrations(jobId: string): string {
    return `${this.prefix}webhooks:pending:${jobId}`;
  }

  /** STRING (JSON) set while the AI provider rejects our credentials; read by /health in every process. */
  aiCredentialsRejected(): string {
    return `${this.prefix}health:ai_credentials_rejected`;
  }

  /** STRING written by /health to prove Redis still accepts writes (a full Redis answers PING but refuses writes). */
  healthProbe(): string {
    return `${this.prefix}health:write_probe`;
  }

  /**
   * HASH of one API key (src/access): id, name, secret_sha256 (never the secret), rpm, daily_jobs, cache,
   * created_at, revoked_at. Forever (revoked keys stay, marked).
   */
  apiKey(id: string): string {
    return `${this.prefix}apikey:${id}`;
  }

  /** ZSET of API key ids scored by creation time (ms), for `apikey list`. */
  apiKeyIndex(): string {
    return `${this.prefix}apikeys`;
  }

  /**
   * HASH of a client's sliding request window: a count per 100 ms bucket plus the total and the oldest/newest bucket.
   * `client` is `key:{id}` or `ip:{address}`. Expires a window after the client's last accepted request.
   */
  rateLimit(client: string): string {
    return `${this.prefix}ratelimit:${client}`;
  }

  /** STRING counter of the new AI jobs an API key made on a UTC day (`YYYY-MM-DD`); expires after two days. */
  dailyJobs(keyId: string, day: string): string {
    return `${this.prefix}quota:jobs:${keyId}:${day}`;
  }

  /** HASH of an API key's requests on a UTC day (requests, rate_limited, hits, misses, deduplicated); two days. */
  usage(keyId: string, day: string): string {
    return `${this.prefix}usage:${keyId}:${day}`;
  }

  /** Prefix BullMQ puts before its own keys (`{queuePrefix}:{queue}:…`). */
  queuePrefix(): string {
    return `${this.prefix}bull`;
  }
}
