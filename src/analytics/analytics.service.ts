import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DailyBudget } from '../ai/cost/daily-budget';
import type { Environment } from '../core/config/environment';
import { SummarizeJobRepository } from '../jobs/summarize-job.repository';
import type { AnalyticsResponseDto } from './analytics-response.dto';
import { AnalyticsRepository, fromNanoUsd } from './analytics.repository';

@Injectable()
export class AnalyticsService {
  private readonly budget: DailyBudget;

  constructor(
    private readonly analytics: AnalyticsRepository,
    private readonly jobs: SummarizeJobRepository,
    config: ConfigService<Environment, true>,
  ) {
    this.budget = new DailyBudget(config.get('AI_DAILY_BUDGET_USD', { infer: true }));
  }

  /** The read in flight, shared by every request that arrives before it answers. */
  private inFlight?: Promise<AnalyticsResponseDto>;

  /**
   * Concurrent requests share one read (single flight): each read is an LRANGE of the latest 1,000 processing times
   * plus the queue counts, and under polling they took half the worker's CPU (docs/performance.md). A request
   * that joins a read can miss only what changed during that read (one round trip).
   */
  snapshot(): Promise<AnalyticsResponseDto> {
    this.inFlight ??= this.read().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async read(): Promise<AnalyticsResponseDto> {
    const [{ counters, recentProcessingMs, summariesByModel }, jobs, spentToday] = await Promise.all([
      this.analytics.read(),
      this.jobs.counts(),
      this.analytics.aiSpendTodayUsd(),
    ]);
    // Derived here rather than counted, so total = hits + misses + deduplicated holds in every snapshot.
    const totalRequests = counters.cache_hits + counters.cache_misses + counters.deduplicated;
    const finished = counters.jobs_completed + counters.jobs_failed;
    return {
      total_requests: totalRequests,
      cache_hits: counters.cache_hits,
      archive_hits: counters.archive_hits,
      cache_misses: counters.cache_misses,
      deduplicated: counters.deduplicated,
      hit_rate: ratio(counters.cache_hits, totalRequests),
      queue_size: jobs.queued,
      jobs_active: jobs.active,
      jobs_completed: counters.jobs_completed,
      jobs_failed: counters.jobs_failed,
      failure_rate: ratio(counters.jobs_failed, finished),
      avg_processing_time_ms: Math.round(
        counters.jobs_completed ? counters.processing_ms_total / counters.jobs_completed : 0,
      ),
      p95_processing_time_ms: percentile(recentProcessingMs, 0.95),
      ai_calls: counters.ai_calls,
      tokens_used: counters.tokens_used,
      tokens_saved: counters.tokens_saved,
      cost_usd: fromNanoUsd(counters.cost_nanousd),
      cost_saved_usd: fromNanoUsd(counters.cost_saved_nanousd),
      ai_budget: {
        daily_usd: this.budget.limitUsd ?? null,
        spent_today_usd: spentToday,
        exhausted: this.budget.isReached(spentToday),
      },
      webhooks_delivered: counters.webhooks_delivered,
      webhooks_failed: counters.webhooks_failed,
      summaries_by_model: summariesByModel,
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
