import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { SUMMARIZE_QUEUE } from '../core/queue/queue.constants';
import { REDIS_COMMAND_TIMEOUT_MS } from '../core/redis/redis-connection';
import { REDIS_CLIENT } from '../core/redis/redis.constants';

/** Redis answers PING, and the queue's own connection can read the queue. */
@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @InjectQueue(SUMMARIZE_QUEUE) private readonly queue: Queue,
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
        const counts = await this.queue.getJobCounts('waiting', 'active');
        return { waiting: counts.waiting ?? 0, active: counts.active ?? 0 };
      })
      .withTimeout(REDIS_COMMAND_TIMEOUT_MS);
  }
}
