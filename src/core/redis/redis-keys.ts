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

  /** Prefix BullMQ puts before its own keys (`{queuePrefix}:{queue}:…`). */
  queuePrefix(): string {
    return `${this.prefix}bull`;
  }
}
