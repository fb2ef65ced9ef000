import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AnalyticsRepository } from '../analytics/analytics.repository';
import type { Environment } from '../core/config/environment';
import { SUMMARIZE_QUEUE } from '../core/queue/queue.constants';
import type { SummarizeJob, SummarizeJobResult } from '../core/queue/summarize-job';
import { SummarizeJobService } from './summarize-job.service';

/** Consumes the summarize queue. Thin: the work is in {@link SummarizeJobService}; retries are BullMQ's. */
// autorun off: the worker starts in onApplicationBootstrap, once the configured options are applied.
@Processor(SUMMARIZE_QUEUE, { autorun: false })
export class SummarizeProcessor
  extends WorkerHost
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger(SummarizeProcessor.name);

  constructor(
    private readonly jobs: SummarizeJobService,
    private readonly analytics: AnalyticsRepository,
    private readonly config: ConfigService<Environment, true>,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    // Decorator options are fixed when the class is declared; these come from the validated configuration, so they
    // are applied before the worker runs. The lock manager copies the lock timings when it is made, so it is made
    // again through BullMQ's own (protected, overridable) factory.
    const lockDuration = this.config.get('JOB_LOCK_MS', { infer: true });
    Object.assign(this.worker.opts, {
      lockDuration,
      lockRenewTime: lockDuration / 2,
      stalledInterval: this.config.get('STALLED_INTERVAL_MS', { infer: true }),
    });
    this.worker['createLockManager']();
    this.worker.concurrency = this.config.get('WORKER_COUNT', { infer: true });
    this.worker.run().catch((error: unknown) => this.logger.error({ err: error }, 'worker stopped'));
  }

  /**
   * Stops taking jobs and waits for the running ones before anything else shuts down (Redis connections included);
   * main.ts bounds the whole shutdown with SHUTDOWN_TIMEOUT_MS.
   */
  async beforeApplicationShutdown(): Promise<void> {
    const worker = this.worker as typeof this.worker | undefined;
    if (!worker?.isRunning()) return;
    this.logger.log('worker closing: finishing running jobs');
    await worker.close();
  }

  async process(job: SummarizeJob): Promise<SummarizeJobResult> {
    this.logger.log(
      { job_id: job.id, attempt: job.attemptsMade + 1, input_type: job.data.inputType },
      'job started',
    );
    const result = await this.jobs.run(job.data);
    const processingMs = Date.now() - (job.processedOn ?? Date.now());
    await this.analytics.recordJobCompleted(processingMs);
    this.logger.log({ job_id: job.id, processing_ms: processingMs }, 'job completed');
    return result;
  }

  @OnWorkerEvent('failed')
  async onFailed(job: SummarizeJob | undefined, error: Error): Promise<void> {
    // BullMQ sets finishedOn only when the job failed for good; earlier attempts are retried and not counted.
    const final = Boolean(job?.finishedOn);
    this.logger.warn(
      { job_id: job?.id, err: error, final },
      final ? 'job failed' : 'job attempt failed; will retry',
    );
    if (final) await this.analytics.recordJobFailed().catch(() => undefined);
  }
}
