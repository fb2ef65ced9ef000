import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { SummarizeJobResult } from '../core/queue/summarize-job';
import { REDIS_CLIENT } from '../core/redis/redis.constants';
import { RedisKeys } from '../core/redis/redis-keys';

/** Cached summaries (`summary:{hash}`), stored as JSON strings with a TTL. */
@Injectable()
export class SummaryCacheRepository {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async get(hash: string): Promise<SummarizeJobResult | null> {
    const json = await this.redis.get(this.keys.summary(hash));
    return json === null ? null : (JSON.parse(json) as SummarizeJobResult);
  }

  async set(hash: string, result: SummarizeJobResult, ttlSeconds: number): Promise<void> {
    await this.redis.set(this.keys.summary(hash), JSON.stringify(result), 'EX', ttlSeconds);
  }
}
