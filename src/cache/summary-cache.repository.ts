import { Inject, Injectable } from '@nestjs/common';
import type { IRedisClient } from 'bullmq';
import DataLoader from 'dataloader';
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

/** Reads made in one turn of the event loop go to Redis as one MGET of at most this many keys. */
const MAX_KEYS_PER_READ = 128;

/** Cached summaries (`summary:{hash}`), stored as JSON strings with a TTL. */
@Injectable()
export class SummaryCacheRepository {
  /**
   * Batches reads (DataLoader): every `get` made until the event loop's check phase, i.e. by all the requests that
   * arrived together, becomes one MGET, one write and one read on the socket instead of one each. Reads are not
   * cached here: each request still sees what Redis holds now.
   */
  private readonly reads = new DataLoader<string, string | null>((keys) => this.redis.mget(...keys), {
    cache: false,
    batchScheduleFn: (flush) => setImmediate(flush),
    maxBatchSize: MAX_KEYS_PER_READ,
  });

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async get(hash: string): Promise<SummarizeJobResult | null> {
    const json = await this.reads.load(this.keys.summary(hash));
    return json === null ? null : (JSON.parse(json) as SummarizeJobResult);
  }

  /** Written on this repository's own client (the API re-caching a summary found in the archive). */
  async set({ hash, result, ttlSeconds }: CacheEntry): Promise<void> {
    await this.redis.set(this.keys.summary(hash), JSON.stringify(result), 'EX', ttlSeconds);
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
