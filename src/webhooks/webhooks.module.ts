import { BullModule, Processor } from '@nestjs/bullmq';
import { type DynamicModule, Inject, Module, type OnApplicationShutdown, Optional } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Redis } from 'ioredis';
import { AnalyticsModule } from '../analytics/analytics.module';
import type { Environment } from '../core/config/environment';
import { REQUEST_REDIS, WORKER_REDIS } from '../core/redis/redis.constants';
import { RedisKeys } from '../core/redis/redis-keys';
import { WEBHOOKS_QUEUE } from '../jobs/queue.constants';
import { WebhookDeliveryProcessor, webhookWorkerOptions } from './webhook-delivery.processor';
import { WebhookDeliveryProducer } from './webhook-delivery.producer';
import { WebhookRegistrationsRepository } from './webhook-registrations.repository';
import { WebhookSender } from './webhook-sender';
import { WebhookPromoter } from './webhook.promoter';
import { WebhookRegistrar } from './webhook.registrar';

type Config = ConfigService<Environment, true>;

/** Delivered deliveries are kept a day (at most this many), for inspection in the queue board. */
const KEEP_DELIVERED = { age: 86_400, count: 10_000 };
/**
 * Deliveries that failed for good are kept a week (at most this many), so an operator can see why and retry them
 * (the queue board's retry). The count bounds Redis memory when a receiver is down for long.
 */
export const KEEP_FAILED = { age: 7 * 86_400, count: 100_000 };

/**
 * The webhooks queue with its default job options (attempts, backoff, retention), set once. Imported by both roles
 * of WebhooksModule, so a process that serves and works holds one queue object.
 */
@Module({
  imports: [
    BullModule.registerQueueAsync({
      name: WEBHOOKS_QUEUE,
      inject: [ConfigService],
      useFactory: (config: Config) => ({
        defaultJobOptions: {
          attempts: config.get('WEBHOOK_MAX_ATTEMPTS', { infer: true }),
          // Jitter spreads the retries of many deliveries to one receiver that was down (20 % off at most).
          backoff: {
            type: 'exponential',
            delay: config.get('WEBHOOK_BACKOFF_MS', { infer: true }),
            jitter: 0.2,
          },
          removeOnComplete: KEEP_DELIVERED,
          removeOnFail: KEEP_FAILED,
        },
      }),
    }),
  ],
  providers: [WebhookDeliveryProducer],
  exports: [WebhookDeliveryProducer],
})
export class WebhooksQueueModule {}

const registrationsOn = (client: symbol) => ({
  provide: WebhookRegistrationsRepository,
  inject: [client, RedisKeys],
  useFactory: (redis: Redis, keys: RedisKeys) => new WebhookRegistrationsRepository(redis, keys),
});

/** Builds the sender from the validated environment (only with WEBHOOK_SECRET set). */
function senderFromConfig(config: Config): WebhookSender {
  const timeoutMs = config.get('WEBHOOK_TIMEOUT_MS', { infer: true });
  return new WebhookSender({
    secret: config.get('WEBHOOK_SECRET', { infer: true }) ?? '',
    allowedHosts: config.get('FETCH_ALLOWED_HOSTS', { infer: true }),
    connectTimeoutMs: Math.min(config.get('FETCH_CONNECT_TIMEOUT_MS', { infer: true }), timeoutMs),
    timeoutMs,
  });
}

/**
 * Signed webhooks (Standard Webhooks) for the end of jobs. `forApi()` checks and registers a submission's
 * `callback_url` (WebhookRegistrar, for SubmitService); `forWorker(env)` delivers (WebhookDeliveryProcessor, with
 * WEBHOOK_SECRET set) and starts a job's deliveries when the job ends (WebhookPromoter, for SummarizeProcessor).
 */
@Module({})
export class WebhooksModule implements OnApplicationShutdown {
  // One object for the API role: Nest tells dynamic modules apart by reference, so every importer shares it.
  private static readonly api: DynamicModule = {
    module: WebhooksModule,
    imports: [WebhooksQueueModule],
    providers: [registrationsOn(REQUEST_REDIS), WebhookRegistrar],
    exports: [WebhookRegistrar],
  };

  constructor(@Optional() @Inject(WebhookSender) private readonly sender?: WebhookSender) {}

  static forApi(): DynamicModule {
    return WebhooksModule.api;
  }

  /**
   * The worker side. The processor is declared here with the worker options of this configuration (`@Processor`
   * options are fixed where the decorator is applied, as in WorkerModule.register); without WEBHOOK_SECRET there is
   * nothing to deliver and no webhooks worker runs.
   */
  static forWorker(env: Environment): DynamicModule {
    const delivering = env.WEBHOOK_SECRET !== undefined;
    @Processor(WEBHOOKS_QUEUE, webhookWorkerOptions(env))
    class ConfiguredWebhookDeliveryProcessor extends WebhookDeliveryProcessor {}

    return {
      module: WebhooksModule,
      imports: [WebhooksQueueModule, AnalyticsModule.forWorker()],
      providers: [
        registrationsOn(WORKER_REDIS),
        WebhookPromoter,
        ...(delivering
          ? [
              { provide: WebhookSender, inject: [ConfigService], useFactory: senderFromConfig },
              { provide: WebhookDeliveryProcessor, useClass: ConfiguredWebhookDeliveryProcessor },
            ]
          : []),
      ],
      exports: [WebhookPromoter],
    };
  }

  /** Closes the sender's pooled connections once the webhooks worker has stopped (beforeApplicationShutdown). */
  async onApplicationShutdown(): Promise<void> {
    await this.sender?.close();
  }
}
