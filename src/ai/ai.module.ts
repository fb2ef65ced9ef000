import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Redis } from 'ioredis';
import type { Environment } from '../core/config/environment';
import type { CpuPool } from '../cpu/cpu-pool';
import { CpuModule, SUMMARIZER_POOL } from '../cpu/cpu.module';
import { PooledLocalSummarizer } from '../cpu/pooled-local-summarizer';
import { REQUEST_REDIS, WORKER_REDIS } from '../core/redis/redis.constants';
import { RedisKeys } from '../core/redis/redis-keys';
import { AI_CALL_OBSERVER, type AiCallObserver } from './ai-call-observer';
import { AiCredentialsState } from './ai-credentials-state';
import { LOCAL_SUMMARIZER, SUMMARIZER, type Summarizer } from './summarizer';
import { SummarizerFactory, type AiConfig } from './summarizer.factory';
import { SUMMARIZER_IDENTITY, summarizerIdentityOf } from './summarizer-identity';

type Config = ConfigService<Environment, true>;

const aiConfig = (config: Config): AiConfig => ({
  AI_PROVIDER: config.get('AI_PROVIDER', { infer: true }),
  GEMINI_API_KEY: config.get('GEMINI_API_KEY', { infer: true }),
  GEMINI_MODEL: config.get('GEMINI_MODEL', { infer: true }),
  GEMINI_BASE_URL: config.get('GEMINI_BASE_URL', { infer: true }),
  OPENAI_BASE_URL: config.get('OPENAI_BASE_URL', { infer: true }),
  OPENAI_API_KEY: config.get('OPENAI_API_KEY', { infer: true }),
  OPENAI_MODEL: config.get('OPENAI_MODEL', { infer: true }),
  AI_TIMEOUT_MS: config.get('AI_TIMEOUT_MS', { infer: true }),
  AI_MAX_INPUT_TOKENS: config.get('AI_MAX_INPUT_TOKENS', { infer: true }),
  AI_FALLBACK: config.get('AI_FALLBACK', { infer: true }),
  AI_PRICES: config.get('AI_PRICES', { infer: true }),
  AI_BATCH_SIZE: config.get('AI_BATCH_SIZE', { infer: true }),
  AI_BATCH_WAIT_MS: config.get('AI_BATCH_WAIT_MS', { infer: true }),
  AI_BATCH_MAX_INPUT_TOKENS: config.get('AI_BATCH_MAX_INPUT_TOKENS', { infer: true }),
});

const identity = {
  provide: SUMMARIZER_IDENTITY,
  inject: [ConfigService],
  useFactory: (config: Config) => summarizerIdentityOf(aiConfig(config)),
};

const credentialsOn = (client: symbol) => ({
  provide: AiCredentialsState,
  inject: [client, RedisKeys],
  useFactory: (redis: Redis, keys: RedisKeys) => new AiCredentialsState(redis, keys),
});

/**
 * The AI side of a process. `forApi()`: the summarizer's identity (part of every cache key), computed from the
 * configuration without building a summarizer, and the shared credentials state `/health` reports. `forWorker()`: the
 * configured {@link Summarizer} under {@link SUMMARIZER} too (provider chosen by `AI_PROVIDER`, see
 * {@link SummarizerFactory}; the built-in summarizer runs in the CPU pool), recording accepted and rejected
 * credentials on the workers' Redis client.
 */
@Module({})
export class AiModule {
  // One object per role: Nest tells dynamic modules apart by reference, so every importer of forApi() shares one.
  private static readonly api: DynamicModule = {
    module: AiModule,
    providers: [identity, credentialsOn(REQUEST_REDIS)],
    exports: [SUMMARIZER_IDENTITY, AiCredentialsState],
  };
  private static readonly worker: DynamicModule = {
    module: AiModule,
    imports: [CpuModule],
    providers: [
      identity,
      credentialsOn(WORKER_REDIS),
      {
        provide: LOCAL_SUMMARIZER,
        inject: [ConfigService, SUMMARIZER_POOL],
        useFactory: (config: Config, pool: CpuPool) =>
          new PooledLocalSummarizer(pool, config.get('SUMMARIZE_TIMEOUT_MS', { infer: true })),
      },
      {
        provide: SUMMARIZER,
        // The observer comes from MetricsModule (global) when the app has it.
        inject: [
          ConfigService,
          AiCredentialsState,
          LOCAL_SUMMARIZER,
          { token: AI_CALL_OBSERVER, optional: true },
        ],
        useFactory: (
          config: Config,
          credentials: AiCredentialsState,
          local: Summarizer,
          observer?: AiCallObserver,
        ) =>
          // Batching: concurrent jobs' calls are gathered (AI_BATCH_SIZE); the worker runs enough jobs at once for it
          // (summarizeWorkerOptions). A no-op for the built-in summarizer and AI_BATCH_SIZE=1.
          SummarizerFactory.create(aiConfig(config), credentials, { local, observer, batching: true }),
      },
    ],
    exports: [SUMMARIZER_IDENTITY, AiCredentialsState, SUMMARIZER, LOCAL_SUMMARIZER],
  };

  static forApi(): DynamicModule {
    return AiModule.api;
  }

  static forWorker(): DynamicModule {
    return AiModule.worker;
  }
}
