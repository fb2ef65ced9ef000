import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Redis } from 'ioredis';
import type { Environment } from '../core/config/environment';
import { REQUEST_REDIS } from '../core/redis/redis.constants';
import { RedisKeys } from '../core/redis/redis-keys';
import { AccessCheckRepository } from './access-check.repository';
import { AccessService } from './access.service';
import { ApiAccessGuard } from './api-access.guard';
import { ApiKeyRepository } from './api-key.repository';
import { Clock, SystemClock } from './clock';
import { JobQuotaRepository } from './job-quota.repository';
import { JobQuotaService } from './job-quota.service';
import { SubmitAccessHook } from './submit-access.hook';
import { UsageController } from './usage.controller';
import { UsageRepository } from './usage.repository';

/**
 * API keys, request-rate limits, the daily job quota and cache scopes (docs/access.md). Global because it is
 * cross-cutting: the submit route's hooks, and the guard on the status, live and usage routes, come from
 * here. Loaded by processes that serve the API; workers only use the pure cache-scope functions.
 */
@Global()
@Module({
  controllers: [UsageController],
  providers: [
    { provide: Clock, useClass: SystemClock },
    {
      provide: AccessCheckRepository,
      inject: [REQUEST_REDIS, RedisKeys, Clock, ConfigService],
      useFactory: (redis: Redis, keys: RedisKeys, clock: Clock, config: ConfigService<Environment, true>) =>
        new AccessCheckRepository(redis, keys, clock, {
          defaultRpm: config.get('RATE_LIMIT_RPM', { infer: true }),
          defaultDailyJobs: config.get('DAILY_JOB_LIMIT', { infer: true }),
        }),
    },
    ApiKeyRepository,
    JobQuotaRepository,
    UsageRepository,
    AccessService,
    JobQuotaService,
    SubmitAccessHook,
    ApiAccessGuard,
  ],
  exports: [Clock, AccessService, JobQuotaService, SubmitAccessHook, ApiAccessGuard],
})
export class AccessModule {}
