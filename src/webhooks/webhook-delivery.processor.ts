import { OnWorkerEvent, WorkerHost } from '@nestjs/bullmq';
import {
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DelayedError, UnrecoverableError, WaitingError, type WorkerOptions } from 'bullmq';
import { AnalyticsRepository } from '../analytics/analytics.repository';
import type { Environment } from '../core/config/environment';
import { logBullmqErrors } from '../jobs/queue-errors';
import { SummarizeJobRepository } from '../jobs/summarize-job.repository';
import {
  jobEndEvent,
  type WebhookDeliveryJob,
  type WebhookDeliveryResult,
  type WebhookEvent,
} from './webhook-delivery';
import { WebhookSender, WebhookSendError } from './webhook-sender';
import { closeWorkerWithin } from '../jobs/close-worker';

/**
 * Longest a delivery waits for its job to end. Jobs end within minutes unless the queue is stuck; past this the
 * delivery fails (counted, kept for inspection) rather than re-check forever.
 */
export const MAX_WAIT_FOR_JOB_MS = 7 * 86_400_000;

/** The webhooks worker's options, from the validated configuration (WebhooksModule.forWorker applies them). */
export function webhookWorkerOptions(env: Environment): WorkerOptions {
  return {
    concurrency: env.WEBHOOK_CONCURRENCY,
    // An attempt is bounded by WEBHOOK_TIMEOUT_MS; the lock outlives it with room for the status read.
    lockDuration: Math.max(30_000, env.WEBHOOK_TIMEOUT_MS * 2),
  } as WorkerOptions;
}

/**
 * Consumes the webhooks queue: one job per delivery. A delivery of a job's end first looks at the job: not ended yet,
 * it goes back to waiting for another re-check without using an attempt; ended, its event is fixed (so every retry
 * sends the same body) and sent. Failed attempts are retried by BullMQ with exponential backoff
 * (WEBHOOK_MAX_ATTEMPTS, WEBHOOK_BACKOFF_MS); a refused address fails at once. Deliveries that succeed or fail for
 * good are counted in the analytics (webhooks_delivered, webhooks_failed); failed ones stay in the queue for
 * inspection (see WebhooksQueueModule for how long).
 */
@Injectable()
export class WebhookDeliveryProcessor
  extends WorkerHost
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger(WebhookDeliveryProcessor.name);
  private readonly recheckMs: number;
  private shuttingDown = false;

  constructor(
    private readonly sender: WebhookSender,
    private readonly jobs: SummarizeJobRepository,
    private readonly analytics: AnalyticsRepository,
    private readonly config: ConfigService<Environment, true>,
  ) {
    super();
    this.recheckMs = config.get('WEBHOOK_RECHECK_MS', { infer: true });
  }

  onApplicationBootstrap(): void {
    logBullmqErrors(this.worker, this.logger, 'webhooks worker');
  }

  /**
   * Stops taking deliveries and waits for the running ones before the Redis connections close and the analytics
   * write their last counts; attempts still running shortly before SHUTDOWN_TIMEOUT_MS are cancelled and go back to
   * the queue without using an attempt.
   */
  async beforeApplicationShutdown(): Promise<void> {
    const worker = this.worker as typeof this.worker | undefined;
    if (!worker?.isRunning()) return;
    this.shuttingDown = true;
    await closeWorkerWithin(worker, this.config.get('SHUTDOWN_TIMEOUT_MS', { infer: true }));
  }

  async process(
    job: WebhookDeliveryJob,
    token?: string,
    signal?: AbortSignal,
  ): Promise<WebhookDeliveryResult> {
    const event = job.data.event ?? (await this.endEventOf(job, token));
    try {
      const status = await this.sender.send({ id: job.id ?? '', url: job.data.url, event }, signal);
      return { status };
    } catch (error) {
      if (this.shuttingDown && signal?.aborted) {
        // Cancelled by our own shutdown: back to waiting for another worker, without using up an attempt.
        await job.moveToWait(token);
        throw new WaitingError();
      }
      if (error instanceof WebhookSendError && !error.retryable) {
        const unrecoverable = new UnrecoverableError(error.message);
        unrecoverable.cause = error;
        throw unrecoverable;
      }
      throw error;
    }
  }

  @OnWorkerEvent('completed')
  onCompleted(job: WebhookDeliveryJob): void {
    this.analytics.recordWebhook('delivered');
    this.logger.debug({ webhook_id: job.id, job_id: job.data.jobId }, 'webhook delivered');
  }

  @OnWorkerEvent('failed')
  onFailed(job: WebhookDeliveryJob | undefined, error: Error): void {
    // BullMQ sets finishedOn only when the delivery failed for good; earlier attempts are retried.
    const final = Boolean(job?.finishedOn);
    this.logger.warn(
      {
        webhook_id: job?.id,
        job_id: job?.data.jobId,
        // The origin only: a callback URL's path or query may hold the receiver's own secret.
        receiver: job ? originOf(job.data.url) : undefined,
        reason: error.message,
        attempts: job?.attemptsMade,
        final,
      },
      final ? 'webhook delivery failed' : 'webhook attempt failed; will retry',
    );
    if (final) this.analytics.recordWebhook('failed');
  }

  /**
   * The event of the delivery's job once it has ended, stored on the delivery for its retries. Before that the
   * delivery goes back to waiting for WEBHOOK_RECHECK_MS (no attempt used: DelayedError after moveToDelayed).
   */
  private async endEventOf(job: WebhookDeliveryJob, token?: string): Promise<WebhookEvent> {
    const jobId = job.data.jobId;
    if (jobId === null) throw new UnrecoverableError('the delivery names neither a job nor an event');
    const status = await this.jobs.status(jobId);
    if (status === null) {
      throw new UnrecoverableError(`job ${jobId} no longer exists (expired or removed); its end is unknown`);
    }
    if (status.status === 'pending' || status.status === 'processing') {
      if (Date.now() - job.timestamp > MAX_WAIT_FOR_JOB_MS) {
        throw new UnrecoverableError(
          `job ${jobId} has not ended within ${MAX_WAIT_FOR_JOB_MS / 86_400_000} days`,
        );
      }
      await job.moveToDelayed(Date.now() + this.recheckMs, token);
      throw new DelayedError();
    }
    const event = jobEndEvent(status);
    await job.updateData({ ...job.data, event });
    return event;
  }
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'invalid URL';
  }
}
