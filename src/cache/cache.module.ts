import { type DynamicModule, Module } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REQUEST_REDIS, WORKER_REDIS } from '../core/redis/redis.constants';
import { RedisKeys } from '../core/redis/redis-keys';
import { SummaryCacheRepository } from './summary-cache.repository';

/**
 * The summary cache, on the Redis client of the role that uses it: `forApi()` fails fast while Redis is away (the API
 * answers 503), `forWorker()` waits it out (a summary already paid for is not lost to a blip).
 */
@Module({})
export class CacheModule {
  // One object per role: Nest tells dynamic modules apart by reference, so every importer of forApi() shares one.
  private static readonly api = CacheModule.on(REQUEST_REDIS);
  private static readonly worker = CacheModule.on(WORKER_REDIS);

  static forApi(): DynamicModule {
    return CacheModule.api;
  }

  static forWorker(): DynamicModule {
    return CacheModule.worker;
  }

  private static on(client: symbol): DynamicModule {
    return {
      module: CacheModule,
      providers: [
        {
          provide: SummaryCacheRepository,
          inject: [client, RedisKeys],
          useFactory: (redis: Redis, keys: RedisKeys) => new SummaryCacheRepository(redis, keys),
        },
      ],
      exports: [SummaryCacheRepository],
    };
  }
}
