import { Injectable } from '@nestjs/common';
import { inSpan } from '../tracing/tracer';
import { type JobStage, MetricsRegistry } from './metrics.registry';

/** The span each timed stage gets in a trace (a child of BullMQ's `process` span of the job). */
const STAGE_SPAN: Record<JobStage, string> = {
  fetching: 'job.fetch',
  extracting: 'job.extract',
  summarizing: 'job.summarize',
};

/**
 * The worker's timing hooks: `smartcache_job_duration_seconds{stage}` and `smartcache_jobs_total{status}`, and one
 * span per stage when the process traces.
 */
@Injectable()
export class JobMetrics {
  constructor(private readonly metrics: MetricsRegistry) {}

  /**
   * Runs one stage of a job and times it (failed runs too: their time was spent). An arrow property, so it can be
   * handed on as a callback (ContentFetcher.fetchArticle times its two steps with it).
   */
  readonly timeStage = <T>(stage: JobStage, run: () => Promise<T>): Promise<T> =>
    inSpan(STAGE_SPAN[stage], { 'smartcache.job.stage': stage }, async () => {
      const started = performance.now();
      try {
        return await run();
      } finally {
        this.metrics.observeJobStage(stage, (performance.now() - started) / 1000);
      }
    });

  /** A job completed; `processingMs` is its processing time as the analytics count it. */
  completed(processingMs: number): void {
    this.metrics.countJob('completed');
    this.metrics.observeJobStage('total', processingMs / 1000);
  }

  /** A job failed for good (after its last attempt). */
  failed(): void {
    this.metrics.countJob('failed');
  }
}
