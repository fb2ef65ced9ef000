import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AiCallOutcome } from '../ai/ai-call-observer';
import type { TokenUsage } from '../ai/summarizer';
import type { RequestOutcome } from '../analytics/analytics.repository';
import { QUEUE_STATES, type QueueState } from '../jobs/summarize-job.repository';

/** The stages of a job that are timed (`smartcache_job_duration_seconds{stage}`); `total` is the whole job. */
export type JobStage = 'fetching' | 'extracting' | 'summarizing';

/** Reads the queue's job counts when Prometheus scrapes (see QueueCountsCache). */
export interface QueueCountsSource {
  countsByState(): Promise<Record<QueueState, number> | undefined>;
}

/**
 * Request durations: 1 ms to 10 s, dense where the API answers (a cache hit takes about a millisecond, a miss a few).
 */
const HTTP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Job stages: 10 ms (a cached article) to 2 min (a slow page and a slow model, with the default timeouts). */
const JOB_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/**
 * This process's Prometheus metrics: the one place every metric is defined (names and labels are a contract with
 * dashboards and alerts: see docs/observability.md), with a typed method per thing counted, so no other module
 * touches prom-client. Counts live in memory and are per process (Prometheus adds them up across processes); counting
 * costs no I/O. The registry is this instance's own, not prom-client's global one, so several apps can run in one
 * process (tests) without clashing.
 */
@Injectable()
export class MetricsRegistry {
  readonly registry = new Registry();

  private readonly submissions = new Counter({
    name: 'smartcache_submissions_total',
    help: 'Answered submissions (POST /api/submit) by outcome: hit, miss (a job was queued), deduplicated (joined a running job).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly httpDuration = new Histogram({
    name: 'smartcache_http_request_duration_seconds',
    help: 'HTTP request durations by route pattern (unmatched for unknown paths), method and status code.',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: HTTP_BUCKETS,
    registers: [this.registry],
  });
  private readonly jobs = new Counter({
    name: 'smartcache_jobs_total',
    help: 'Summarize jobs that ended, by status: completed, or failed after all attempts.',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });
  private readonly jobDuration = new Histogram({
    name: 'smartcache_job_duration_seconds',
    help: 'Time spent in each stage of a job (fetching, extracting, summarizing; every run, failed ones included), and total processing time of completed jobs.',
    labelNames: ['stage'] as const,
    buckets: JOB_BUCKETS,
    registers: [this.registry],
  });
  private readonly aiCalls = new Counter({
    name: 'smartcache_ai_calls_total',
    help: 'HTTP calls to the remote AI provider (a batched call counts once), by provider, model and outcome.',
    labelNames: ['provider', 'model', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly aiTokens = new Counter({
    name: 'smartcache_ai_tokens_total',
    help: 'Tokens the AI provider reported, by provider, model and kind (input, output).',
    labelNames: ['provider', 'model', 'kind'] as const,
    registers: [this.registry],
  });
  private readonly tokensSaved = new Counter({
    name: 'smartcache_cache_tokens_saved_total',
    help: 'AI tokens the caches saved: cache hits, submissions that joined a running job, and URLs whose article text was already summarized.',
    registers: [this.registry],
  });

  /** The label objects of the hot path, made once (prom-client hashes them on every count). */
  private readonly outcomeLabels: Record<RequestOutcome, { outcome: RequestOutcome }> = {
    hit: { outcome: 'hit' },
    miss: { outcome: 'miss' },
    deduplicated: { outcome: 'deduplicated' },
  };

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    // Every outcome and status from the start, at 0: rate() and ratios need the series before the first event.
    for (const outcome of Object.values(this.outcomeLabels)) this.submissions.inc(outcome, 0);
    this.jobs.inc({ status: 'completed' }, 0);
    this.jobs.inc({ status: 'failed' }, 0);
  }

  /** Serves `smartcache_queue_jobs{state}` from `source` at scrape time. */
  watchQueue(source: QueueCountsSource): void {
    new Gauge({
      name: 'smartcache_queue_jobs',
      help: 'Jobs of the summarize queue by state, read from Redis when scraped (at most once a second; the same for every process of a deployment).',
      labelNames: ['state'] as const,
      registers: [this.registry],
      async collect() {
        const counts = await source.countsByState();
        // Redis away: no samples rather than stale ones (or a failed scrape of everything else).
        this.reset();
        if (counts) for (const state of QUEUE_STATES) this.set({ state }, counts[state]);
      },
    });
  }

  countSubmission(outcome: RequestOutcome): void {
    this.submissions.inc(this.outcomeLabels[outcome]);
  }

  countTokensSaved(tokens: number): void {
    if (tokens > 0) this.tokensSaved.inc(tokens);
  }

  observeHttpRequest(route: string, method: string, status: number, seconds: number): void {
    this.httpDuration.observe({ route, method, status: String(status) }, seconds);
  }

  observeJobStage(stage: JobStage | 'total', seconds: number): void {
    this.jobDuration.observe({ stage }, seconds);
  }

  countJob(status: 'completed' | 'failed'): void {
    this.jobs.inc({ status });
  }

  countAiCall(provider: string, model: string, outcome: AiCallOutcome, usage: TokenUsage | undefined): void {
    this.aiCalls.inc({ provider, model, outcome });
    if (usage) {
      this.aiTokens.inc({ provider, model, kind: 'input' }, usage.inputTokens);
      this.aiTokens.inc({ provider, model, kind: 'output' }, usage.outputTokens);
    }
  }

  /** The exposition (Prometheus text format) and its content type. */
  async scrape(): Promise<{ readonly contentType: string; readonly body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
