import type { RateLimiterOptions } from 'bullmq';

/**
 * The summarize workers' limiter, from the job starts per second AI_MAX_RPS allows (`jobStartsPerSecond`; 0 means no
 * limit). BullMQ honours a manual pause (queue.rateLimit, on an AI 429) only when some limiter is configured; without
 * one a free worker slot would take the job straight back. Without AI_MAX_RPS an unreachable maximum keeps the pause
 * and nothing else. The queue board asks BullMQ with the same maximum.
 */
export function summarizeLimiter(maxJobStarts: number): RateLimiterOptions {
  return { max: maxJobStarts > 0 ? maxJobStarts : Number.MAX_SAFE_INTEGER, duration: 1_000 };
}
