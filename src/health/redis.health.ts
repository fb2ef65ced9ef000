import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { Redis } from 'ioredis';
import { REDIS_COMMAND_TIMEOUT_MS } from '../core/redis/redis-connection';
import { REQUEST_REDIS } from '../core/redis/redis.constants';
import { SummarizeJobRepository } from '../jobs/summarize-job.repository';

/** Redis answers PING, and the queue's own connection can read the queue. */
@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    @Inject(REQUEST_REDIS) private readonly redis: Redis,
    private readonly jobs: SummarizeJobRepository,
  ) {}

  redisPing() {
    return this.health
      .check('redis')
      .attempt(async () => ({ reply: await this.redis.ping() }))
      .withTimeout(REDIS_COMMAND_TIMEOUT_MS);
  }

  queueReachable() {
    return this.health
      .check('queue')
      .attempt(async () => {
        const counts = await this.jobs.counts();
        return { queued: counts.queued, active: counts.active };
      })
      .withTimeout(REDIS_COMMAND_TIMEOUT_MS);
  }
}
