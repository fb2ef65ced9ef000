import { OnWorkerEvent, WorkerHost } from '@nestjs/bullmq';
import {
  Injectable,
  Logger,
  Optional,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DelayedError, UnrecoverableError, WaitingError, Worker, type WorkerOptions } from 'bullmq';
import { AiError, AiRateLimitedError } from '../ai/ai-errors';
import { AnalyticsRepository } from '../analytics/analytics.repository';
import { SummaryCacheRepository } from '../cache/summary-cache.repository';
import { aiInputsPerCall, jobStartsPerSecond, type Environment } from '../core/config/environment';
import type { JobProgress, JobWaitNote } from '../jobs/job-status';
import type { SummarizeJob, SummarizeJobResult } from '../jobs/summarize-job';
import { SummarizeJobRepository } from '../jobs/summarize-job.repository';
import { logBullmqErrors } from '../jobs/queue-errors';
import { summarizeLimiter } from '../jobs/summarize-limiter';
import { completedHistoryEntry, failedHistoryEntry } from '../persistence/history/history-entry';
import { JobMetrics } from '../metrics/job.metrics';
import { HistoryOutbox } from '../persistence/history/history-outbox';
import { WebhookPromoter } from '../webhooks/webhook.promoter';
import { bullmqTelemetry } from '../tracing/bullmq-telemetry';
import { toJobError, withFailedAttempt } from './job-failure';
import { AiBudgetWaitError } from './ai-budget.gate';
import { SummarizeJobService } from './summarize-job.service';
import { closeWorkerWithin } from '../jobs/close-worker';

/** Pause when a 429 names no delay, and the longest pause we accept (a daily quota must not stall us for hours). */
const DEFAULT_RATE_LIMIT_PAUSE_MS = 10_000;
const MAX_RATE_LIMIT_PAUSE_MS = 10 * 60_000;
/** Rate-limited starts a job may have (they cost no attempt); past this the quota is not coming back soon. */
const MAX_RATE_LIMITED_STARTS = 20;

/** The BullMQ Worker's options, from the validated configuration (WorkerModule.register applies them). */
export function summarizeWorkerOptions(env: Environment): WorkerOptions {
  return {
    // Started in onApplicationBootstrap, once the queue-wide rate limit is set and the completion connection bound.
    autorun: false,
    // With AI batching, WORKER_COUNT batches' worth of jobs: each job waits in the batcher for its call, so batches fill.
    concurrency: env.WORKER_COUNT * aiInputsPerCall(env),
    lockDuration: env.JOB_LOCK_MS,
    lockRenewTime: env.JOB_LOCK_MS / 2,
    stalledInterval: env.STALLED_INTERVAL_MS,
    limiter: summarizeLimiter(jobStartsPerSecond(env)),
    // With tracing on: each job's `process` span continues the trace of the request that queued it.
    telemetry: bullmqTelemetry(),
  } as WorkerOptions;
}

/**
 * Consumes the summarize queue. Thin: the work is in {@link SummarizeJobService}; this maps its outcome onto BullMQ
 * (retry by rethrowing, UnrecoverableError for permanent failures, a queue-wide pause for rate limits) and the
 * analytics, which never decide a job's fate. Declared as a `@Processor` by WorkerModule.register, with the worker
 * options of the configuration.
 */
@Injectable()
export class SummarizeProcessor
  extends WorkerHost
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger(SummarizeProcessor.name);
  private shuttingDown = false;

  constructor(
    private readonly work: SummarizeJobService,
    private readonly cache: SummaryCacheRepository,
    private readonly analytics: AnalyticsRepository,
    private readonly jobs: SummarizeJobRepository,
    private readonly config: ConfigService<Environment, true>,
    private readonly webhooks: WebhookPromoter,
    /** smartcache_jobs_total and the job's total duration. */
    private readonly jobMetrics: JobMetrics,
    /** Present only with DATABASE_URL (PersistenceModule). */
    @Optional() private readonly history?: HistoryOutbox,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    logBullmqErrors(this.worker, this.logger, 'worker');
    // AI_MAX_RPS bounds job starts per second across every worker of the queue: one AI call per job (two with a
    // repair), or per AI_BATCH_SIZE jobs with batching.
    const maxJobStarts = jobStartsPerSecond({
      AI_MAX_RPS: this.config.get('AI_MAX_RPS', { infer: true }),
      AI_BATCH_SIZE: this.config.get('AI_BATCH_SIZE', { infer: true }),
      AI_PROVIDER: this.config.get('AI_PROVIDER', { infer: true }),
      GEMINI_API_KEY: this.config.get('GEMINI_API_KEY', { infer: true }),
    });
    if (maxJobStarts > 0) await this.jobs.limitStartsPerSecond(maxJobStarts);
    // The worker's own BullMQ connection completes its jobs; summaries and history rows go out on it first (see
    // process()).
    const completion = await this.worker.getBackend().client;
    this.cache.bindCompletionConnection(completion);
    this.history?.bindCompletionConnection(completion);
    this.worker.run().catch((error: unknown) => this.logger.error({ err: error }, 'worker stopped'));
  }

  /**
   * Stops taking jobs and waits for the running ones before anything else shuts down (Redis connections included).
   * Jobs still running shortly before SHUTDOWN_TIMEOUT_MS are cancelled and go back to the queue uncharged.
   */
  async beforeApplicationShutdown(): Promise<void> {
    const worker = this.worker as typeof this.worker | undefined;
    if (!worker?.isRunning()) return;
    this.shuttingDown = true;
    this.logger.log('worker closing: finishing running jobs');
    await closeWorkerWithin(worker, this.config.get('SHUTDOWN_TIMEOUT_MS', { infer: true }));
  }

  async process(job: SummarizeJob, token?: string, signal?: AbortSignal): Promise<SummarizeJobResult> {
    const attempt = job.attemptsMade + 1;
    const finalAttempt = attempt >= (job.opts.attempts ?? 1);
    this.logger.debug({ job_id: job.id, attempt, input_type: job.data.inputType }, 'job started');
    try {
      const outcome = await this.work.run(job.data, {
        finalAttempt,
        signal,
        // Not awaited, on the connection that completes the job: ordered before the completion, never delaying it.
        onStage: (stage) =>
          void job
            .updateProgress({ stage } satisfies JobProgress)
            .catch((error: unknown) =>
              this.logger.warn({ job_id: job.id, err: error }, 'could not record the stage'),
            ),
      });
      // Not awaited: the write goes out on the connection that completes the job right after this method returns,
      // so Redis applies it first, and the job does not wait a round trip for it.
      for (const entry of outcome.cacheEntries) {
        this.cache
          .setBeforeCompletion(entry)
          .catch((error: unknown) =>
            this.logger.error({ job_id: job.id, err: error }, 'could not cache the summary'),
          );
      }
      const finishedAt = Date.now();
      const processingMs = finishedAt - (job.processedOn ?? finishedAt);
      // The history row, also before the completion; not waited for, never throws.
      this.history?.recordBeforeCompletion(
        completedHistoryEntry(job, outcome.result, outcome.cacheEntries, finishedAt),
      );
      // Counted in memory and written in batches: never holds up (or fails) the job.
      this.analytics.recordJobCompleted({ ...outcome, jobId: job.id ?? '', processingMs });
      this.jobMetrics.completed(processingMs);
      // At debug, like 'job started': a line per successful job was the largest cost of a job after BullMQ's own
      // (docs/performance.md); outcomes are in the analytics and GET /api/status, failures are logged at warn.
      this.logger.debug(
        { job_id: job.id, processing_ms: processingMs, ai_calls: outcome.aiCalls },
        'job completed',
      );
      return outcome.result;
    } catch (error) {
      if (error instanceof AiError) {
        this.analytics.recordAiUsage(error.calls, error.usage?.totalTokens ?? 0, error.costUsd ?? 0);
        await this.keepFailedAttemptCharges(job, error);
      }
      if (error instanceof AiBudgetWaitError) throw await this.waitForBudget(job, error, token);
      if (this.shuttingDown && signal?.aborted) {
        // Cancelled by our own shutdown: back to waiting for another worker, without using up an attempt.
        await job.moveToWait(token);
        throw new WaitingError();
      }
      if (error instanceof AiRateLimitedError) throw await this.pauseForRateLimit(job, error);
      throw toJobError(error);
    }
  }

  /** After the job is completed in Redis: its webhook deliveries can go (they read the final status). */
  @OnWorkerEvent('completed')
  onCompleted(job: SummarizeJob): void {
    if (job.id) this.webhooks.jobEnded(job.id);
  }

  @OnWorkerEvent('failed')
  onFailed(job: SummarizeJob | undefined, error: Error): void {
    // BullMQ sets finishedOn only when the job failed for good; earlier attempts are retried and not counted.
    const final = Boolean(job?.finishedOn);
    // The reason once, as `reason`; the error's class and cause chain only at debug (a stack adds nothing here).
    this.logger.warn(
      { job_id: job?.id, reason: error.message, error: error.name, final, attempts: job?.attemptsMade },
      final ? 'job failed' : 'job attempt failed; will retry',
    );
    if (final && job?.id) {
      this.analytics.recordJobFailed(job.id);
      this.jobMetrics.failed();
      this.history?.record(failedHistoryEntry(job));
      this.webhooks.jobEnded(job.id);
    }
  }

  /**
   * Adds what a failed attempt spent to the job (its data), so the job's status and history report it if the job
   * fails for good. Only on this failure path, and only when the attempt spent something; never fails the job.
   */
  private async keepFailedAttemptCharges(job: SummarizeJob, error: AiError): Promise<void> {
    const failedAttemptCharges = withFailedAttempt(job.data.failedAttemptCharges, error);
    if (failedAttemptCharges === job.data.failedAttemptCharges) return;
    await job
      .updateData({ ...job.data, failedAttemptCharges })
      .catch((cause: unknown) =>
        this.logger.warn({ job_id: job.id, err: cause }, 'could not record what the failed attempt spent'),
      );
  }

  /**
   * The daily AI budget is spent and there is no fallback: the job waits (delayed) until the budget starts again,
   * without using an attempt, its status saying why (stage `queued`, a `note`, no `error`).
   */
  private async waitForBudget(job: SummarizeJob, wait: AiBudgetWaitError, token?: string): Promise<Error> {
    await job.updateProgress({ stage: 'queued', note: wait.note } satisfies JobWaitNote);
    await job.moveToDelayed(wait.untilMs, token);
    this.logger.warn(
      { job_id: job.id, until: new Date(wait.untilMs).toISOString() },
      'AI budget spent: job delayed',
    );
    return new DelayedError();
  }

  /** Pauses every worker for the delay the API asked for; the job goes back to waiting without using an attempt. */
  private async pauseForRateLimit(job: SummarizeJob, error: AiRateLimitedError): Promise<Error> {
    const rateLimitedStarts = job.attemptsStarted - job.attemptsMade;
    if (rateLimitedStarts > MAX_RATE_LIMITED_STARTS) {
      return new UnrecoverableError(
        `the AI provider kept rate-limiting this job (${rateLimitedStarts} times): ${error.message}`,
      );
    }
    const pauseMs = Math.min(error.retryAfterMs ?? DEFAULT_RATE_LIMIT_PAUSE_MS, MAX_RATE_LIMIT_PAUSE_MS);
    this.logger.warn({ job_id: job.id, pause_ms: pauseMs }, 'AI rate limit: pausing the queue');
    await this.jobs.pauseAllWorkers(pauseMs);
    return Worker.RateLimitError();
  }
}
