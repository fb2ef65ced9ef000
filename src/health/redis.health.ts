import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { Redis } from 'ioredis';
import { isRedisOutOfMemory, REDIS_COMMAND_TIMEOUT_MS } from '../core/redis/redis-connection';
import { REQUEST_REDIS } from '../core/redis/redis.constants';
import { RedisKeys } from '../core/redis/redis-keys';
import { SummarizeJobRepository } from '../jobs/summarize-job.repository';

/** How long the write probe's key lives; it is rewritten by every /health call. */
const PROBE_TTL_MS = 60_000;

/** Redis accepts a write (a full Redis still answers PING), and the queue's own connection can read the queue. */
@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    @Inject(REQUEST_REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly jobs: SummarizeJobRepository,
  ) {}

  async redisWritable() {
    const indicator = this.health.check('redis');
    try {
      await this.redis.set(this.keys.healthProbe(), String(Date.now()), 'PX', PROBE_TTL_MS);
      return indicator.up();
    } catch (error) {
      if (isRedisOutOfMemory(error)) {
        return indicator.down({
          cause: 'out_of_memory',
          message: 'Redis is out of memory (maxmemory reached, writes refused): add memory or free keys',
        });
      }
      return indicator.down({ cause: 'unreachable', message: (error as Error).message });
    }
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
