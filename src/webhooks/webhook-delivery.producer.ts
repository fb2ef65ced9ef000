import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { onLiveQueue } from '../jobs/live-queue';
import { logBullmqErrors } from '../jobs/queue-errors';
import { WEBHOOK_DELIVERY_JOB, WEBHOOKS_QUEUE } from '../jobs/queue.constants';
import type { WebhookEvent, WebhooksQueue } from './webhook-delivery';

/**
 * A new delivery's id: its `webhook-id` (receivers deduplicate by it) and its job id in the webhooks queue, so a
 * failed delivery is found in the queue by the id the receiver saw. BullMQ ids may not contain `:`; these never do.
 */
export function newDeliveryId(): string {
  return `msg_${randomUUID().replaceAll('-', '')}`;
}

/** The one place deliveries are added to the webhooks queue, and started early. */
@Injectable()
export class WebhookDeliveryProducer {
  private readonly logger = new Logger(WebhookDeliveryProducer.name);

  constructor(@InjectQueue(WEBHOOKS_QUEUE) private readonly queue: WebhooksQueue) {
    logBullmqErrors(queue, this.logger, 'webhooks queue');
  }

  /**
   * Adds the delivery of job `jobId`'s end, delayed by `recheckMs`: it waits there until the worker that ends the job
   * starts it ({@link promote}), or looks at the job by itself when the delay runs out. Request path: fails fast (503)
   * while Redis is away.
   */
  async addForJob(id: string, url: string, jobId: string, recheckMs: number): Promise<void> {
    await onLiveQueue(this.queue, () =>
      this.queue.add(WEBHOOK_DELIVERY_JOB, { url, jobId }, { jobId: id, delay: recheckMs }),
    );
  }

  /** Adds a delivery whose event is known already (a cache hit), to go out at once. Request path, like addForJob. */
  async addWithEvent(id: string, url: string, event: WebhookEvent): Promise<void> {
    await onLiveQueue(this.queue, () =>
      this.queue.add(WEBHOOK_DELIVERY_JOB, { url, jobId: null, event }, { jobId: id }),
    );
  }

  /**
   * Starts waiting deliveries now rather than at their re-check. Never throws: a delivery that could not be started
   * (already started by another process, gone, Redis away) still goes out by itself at its re-check.
   */
  async promote(ids: readonly string[]): Promise<void> {
    await Promise.all(
      ids.map(async (id) => {
        try {
          const job = await this.queue.getJob(id);
          await job?.promote();
        } catch (error) {
          // Mostly "not in the delayed state": another process (the registrar or a worker) started it first.
          this.logger.debug({ webhook_id: id, reason: (error as Error).message }, 'delivery not promoted');
        }
      }),
    );
  }

  /** BullMQ's queue object itself, for tools built on it (the queue board); nothing else uses it. */
  queueForTools(): WebhooksQueue {
    return this.queue;
  }
}
