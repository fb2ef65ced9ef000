import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { SUMMARIZE_QUEUE } from '../core/queue/queue.constants';
import { withRedisDeadline } from '../core/redis/redis-connection';
import type { AnalyticsResponseDto } from './analytics-response.dto';
import { AnalyticsRepository } from './analytics.repository';

@Injectable()
export class AnalyticsService {
  constructor(
    private readonly analytics: AnalyticsRepository,
    @InjectQueue(SUMMARIZE_QUEUE) private readonly queue: Queue,
  ) {}

  async snapshot(): Promise<AnalyticsResponseDto> {
    const [counters, jobs] = await Promise.all([
      this.analytics.read(),
      withRedisDeadline(this.queue.getJobCounts('waiting', 'delayed', 'prioritized', 'active')),
    ]);
    const totalRequests = counters.cacheHits + counters.cacheMisses + counters.deduplicated;
    const finished = counters.jobsCompleted + counters.jobsFailed;
    return {
      total_requests: totalRequests,
      cache_hits: counters.cacheHits,
      cache_misses: counters.cacheMisses,
      deduplicated: counters.deduplicated,
      hit_rate: ratio(counters.cacheHits, totalRequests),
      queue_size: (jobs.waiting ?? 0) + (jobs.delayed ?? 0) + (jobs.prioritized ?? 0),
      jobs_active: jobs.active ?? 0,
      jobs_completed: counters.jobsCompleted,
      jobs_failed: counters.jobsFailed,
      failure_rate: ratio(counters.jobsFailed, finished),
      avg_processing_time_ms: Math.round(
        counters.jobsCompleted ? counters.processingMsTotal / counters.jobsCompleted : 0,
      ),
      p95_processing_time_ms: percentile(counters.recentProcessingMs, 0.95),
    };
  }
}

function ratio(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part / whole) * 10_000) / 10_000;
}

/** Nearest-rank percentile; 0 for no samples. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}
