import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Environment } from '../core/config/environment';
import { WebhookDeliveryProducer } from './webhook-delivery.producer';
import { WebhookRegistrationsRepository } from './webhook-registrations.repository';

/**
 * The fast path of deliveries, in worker processes: when a summarize job ends (completed, or failed for good), the
 * deliveries registered for it are started at once instead of at their re-check. Losing this (the worker killed right
 * after the job ended, Redis away) only delays them until their re-check (WEBHOOK_RECHECK_MS).
 */
@Injectable()
export class WebhookPromoter {
  private readonly logger = new Logger(WebhookPromoter.name);
  private readonly enabled: boolean;

  constructor(
    private readonly registrations: WebhookRegistrationsRepository,
    private readonly producer: WebhookDeliveryProducer,
    config: ConfigService<Environment, true>,
  ) {
    // Without a secret no API process registers deliveries: no command per job then.
    this.enabled = config.get('WEBHOOK_SECRET', { infer: true }) !== undefined;
  }

  /** Starts the deliveries waiting for job `jobId`, which has just ended. Never throws, never makes the caller wait. */
  jobEnded(jobId: string): void {
    if (!this.enabled) return;
    const start = async () => {
      const ids = await this.registrations.take(jobId);
      if (ids.length > 0) await this.producer.promote(ids);
    };
    start().catch((error: unknown) => {
      this.logger.warn(
        { job_id: jobId, err: error },
        'could not start webhook deliveries; they go out at re-check',
      );
    });
  }
}
