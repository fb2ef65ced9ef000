import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Environment } from '../core/config/environment';
import { reconnectStrategy } from '../core/redis/redis-connection';
import { bullmqTelemetry } from '../tracing/bullmq-telemetry';
import { RedisKeys } from '../core/redis/redis-keys';
import { SUMMARIZE_QUEUE } from './queue.constants';
import { SummarizeJobProducer } from './summarize-job.producer';
import { SummarizeJobRepository } from './summarize-job.repository';

type Config = ConfigService<Environment, true>;

/**
 * The summarize job's home: the queue (connection, key prefix and the default job options — attempts, backoff,
 * retention — set once), its producer and its repository. Only these two inject the queue.
 */
@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [ConfigService, RedisKeys],
      useFactory: (config: Config, keys: RedisKeys) => ({
        // Shared by the queue and the @Processor's worker (@nestjs/bullmq hands the queue's connection to it), so it
        // rides out disconnects; the request path makes its queue calls through onLiveQueue() instead.
        connection: {
          url: config.get<string>('REDIS_URL'),
          maxRetriesPerRequest: null,
          retryStrategy: reconnectStrategy,
        },
        prefix: keys.queuePrefix(),
      }),
    }),
    BullModule.registerQueueAsync({
      name: SUMMARIZE_QUEUE,
      inject: [ConfigService],
      useFactory: (config: Config) => {
        const retention = {
          age: config.get('JOB_RETENTION_SECONDS', { infer: true }),
          count: config.get('JOB_RETENTION_COUNT', { infer: true }),
        };
        return {
          defaultJobOptions: {
            attempts: config.get('JOB_ATTEMPTS', { infer: true }),
            backoff: {
              type: 'exponential',
              delay: config.get('JOB_BACKOFF_MS', { infer: true }),
              jitter: 0.5,
            },
            removeOnComplete: retention,
            removeOnFail: retention,
          },
          // With tracing on: `add` makes a producer span and stores the trace context in the job.
          telemetry: bullmqTelemetry(),
        };
      },
    }),
  ],
  providers: [SummarizeJobProducer, SummarizeJobRepository],
  exports: [BullModule, SummarizeJobProducer, SummarizeJobRepository],
})
export class JobsModule {}
