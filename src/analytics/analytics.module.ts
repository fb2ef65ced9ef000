import { type DynamicModule, Module } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REQUEST_REDIS, WORKER_REDIS } from '../core/redis/redis.constants';
import { RedisKeys } from '../core/redis/redis-keys';
import { MetricsRegistry } from '../metrics/metrics.registry';
import { AnalyticsController } from './analytics.controller';
import { AnalyticsHook } from './analytics.hook';
import { AnalyticsRepository } from './analytics.repository';
import { AnalyticsService } from './analytics.service';

const repositoryOn = (client: symbol) => ({
  provide: AnalyticsRepository,
  // MetricsModule (global) counts the tokens saved in smartcache_cache_tokens_saved_total too.
  inject: [client, RedisKeys, { token: MetricsRegistry, optional: true }],
  useFactory: (redis: Redis, keys: RedisKeys, metrics?: MetricsRegistry) =>
    new AnalyticsRepository(redis, keys, metrics),
});

/**
 * Shared counters in Redis. `forApi()` counts submissions (AnalyticsHook) on the request path's client and serves
 * `GET /api/analytics`; `forWorker()` only counts jobs, on the workers' client.
 */
@Module({})
export class AnalyticsModule {
  // One object per role: Nest tells dynamic modules apart by reference, so every importer of forApi() shares one.
  private static readonly api: DynamicModule = {
    module: AnalyticsModule,
    controllers: [AnalyticsController],
    providers: [repositoryOn(REQUEST_REDIS), AnalyticsService, AnalyticsHook],
    exports: [AnalyticsRepository, AnalyticsHook, AnalyticsService],
  };
  private static readonly worker: DynamicModule = {
    module: AnalyticsModule,
    providers: [repositoryOn(WORKER_REDIS)],
    exports: [AnalyticsRepository],
  };

  static forApi(): DynamicModule {
    return AnalyticsModule.api;
  }

  static forWorker(): DynamicModule {
    return AnalyticsModule.worker;
  }
}
