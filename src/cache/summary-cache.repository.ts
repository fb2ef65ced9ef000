import { Inject, Injectable } from '@nestjs/common';
import type { IRedisClient } from 'bullmq';
import type { Redis } from 'ioredis';
import type { SummarizeJobResult } from '../core/queue/summarize-job';
import { REDIS_CLIENT } from '../core/redis/redis.constants';
import { RedisKeys } from '../core/redis/redis-keys';

/** A summary to cache under `summary:{hash}` for `ttlSeconds`. */
export interface CacheEntry {
  readonly hash: string;
  readonly result: SummarizeJobResult;
  readonly ttlSeconds: number;
}

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

  /**
   * Written on a BullMQ connection given by the caller: the worker sends it on the connection that completes the job
   * next, so the entry is written first (SummarizeProcessor.process).
   */
  async setOn(
    connection: Pick<IRedisClient, 'set'>,
    { hash, result, ttlSeconds }: CacheEntry,
  ): Promise<void> {
    await connection.set(this.keys.summary(hash), JSON.stringify(result), { EX: ttlSeconds });
  }
}
