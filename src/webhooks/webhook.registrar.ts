import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Environment } from '../core/config/environment';
import { parseHostPortList } from '../core/config/host-port-list';
import { invalidRequest } from '../core/http/problem-details';
import { SummarizeJobRepository } from '../jobs/summarize-job.repository';
import { InvalidCallbackUrlError, parseCallbackUrl } from './callback-url';
import { cacheHitEvent, type CacheHitStatus } from './webhook-delivery';
import { newDeliveryId, WebhookDeliveryProducer } from './webhook-delivery.producer';
import { WebhookRegistrationsRepository } from './webhook-registrations.repository';

/** How a submission was answered, as far as its webhook is concerned (the submit answers fit this shape). */
export type SubmissionOutcome =
  | ({ readonly cache: 'hit' } & Pick<CacheHitStatus, 'source' | 'summary' | 'tags' | 'input_type'>)
  | { readonly cache: 'miss' | 'deduplicated'; readonly job_id: string };

const POINTER = '#/callback_url';

/**
 * The API side of webhooks: checks a submission's `callback_url` before anything is queued, and registers its
 * delivery once the submission is answered.
 *
 * A delivery survives any crash once registered: it is a job of the webhooks queue from the start, delayed by
 * WEBHOOK_RECHECK_MS, and listed under its summarize job. The worker that ends the job starts the listed deliveries at
 * once (WebhookPromoter); a delivery nobody started looks at its job by itself when its delay runs out, and waits
 * again if the job has not ended. A registration that comes after the job ended (a join racing the completion) is
 * started here, so it does not wait for the re-check.
 */
@Injectable()
export class WebhookRegistrar {
  private readonly logger = new Logger(WebhookRegistrar.name);
  private readonly enabled: boolean;
  private readonly allowedHosts: ReadonlySet<string>;
  private readonly recheckMs: number;

  constructor(
    private readonly producer: WebhookDeliveryProducer,
    private readonly registrations: WebhookRegistrationsRepository,
    private readonly jobs: SummarizeJobRepository,
    config: ConfigService<Environment, true>,
  ) {
    this.enabled = config.get('WEBHOOK_SECRET', { infer: true }) !== undefined;
    this.allowedHosts = parseHostPortList(config.get('FETCH_ALLOWED_HOSTS', { infer: true }));
    this.recheckMs = config.get('WEBHOOK_RECHECK_MS', { infer: true });
  }

  /**
   * The callback URL to deliver to, or a 400 naming `callback_url`: webhooks are off (no WEBHOOK_SECRET), or the URL
   * can never be delivered to (see parseCallbackUrl). Pure: no Redis, no DNS.
   */
  parse(raw: string): string {
    if (!this.enabled) {
      throw invalidRequest([
        {
          detail: 'callback_url cannot be used: webhooks are off on this server (WEBHOOK_SECRET is not set)',
          pointer: POINTER,
        },
      ]);
    }
    try {
      return parseCallbackUrl(raw, this.allowedHosts);
    } catch (error) {
      if (error instanceof InvalidCallbackUrlError)
        throw invalidRequest([{ detail: error.message, pointer: POINTER }]);
      throw error;
    }
  }

  /**
   * Registers the delivery of a submission's outcome to `url` (from {@link parse}); every call is a delivery of its
   * own, with its own id, whoever else registered for the same job or URL. A hit is delivered at once. Request path:
   * throws (503) while Redis is away, so a submitter told 2xx always has a registered delivery.
   *
   * @returns the delivery's id (its `webhook-id`)
   */
  async register(url: string, outcome: SubmissionOutcome): Promise<string> {
    const id = newDeliveryId();
    if (outcome.cache === 'hit') {
      await this.producer.addWithEvent(id, url, cacheHitEvent(outcome, new Date()));
      return id;
    }
    const jobId = outcome.job_id;
    // The delivery first, then its entry: a delivery without an entry still goes out (at its re-check); an entry
    // without a delivery would be nothing.
    await this.producer.addForJob(id, url, jobId, this.recheckMs);
    await this.registrations.add(jobId, id);
    // Read after the entry was written: if the job ends later, its worker finds the entry; if it ended already, its
    // worker may have emptied the set before the entry came, so the delivery is started here.
    const state = await this.jobs.state(jobId);
    if (state === 'completed' || state === 'failed' || state === 'unknown') {
      this.producer.promote([id]).catch((error: unknown) => {
        this.logger.warn({ webhook_id: id, err: error }, 'could not start a delivery early');
      });
    }
    return id;
  }
}
