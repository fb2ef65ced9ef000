import 'reflect-metadata';
import { ConfigModule } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { validateEnvironment } from '../core/config/environment';
import { REQUEST_REDIS, WORKER_REDIS } from '../core/redis/redis.constants';
import { RedisKeys } from '../core/redis/redis-keys';
import { AiCredentialsState } from './ai-credentials-state';
import { AiModule } from './ai.module';
import { FallbackSummarizer } from './fallback-summarizer';
import { PooledLocalSummarizer } from '../cpu/pooled-local-summarizer';
import { SUMMARIZER, type Summarizer } from './summarizer';
import { SUMMARIZER_IDENTITY } from './summarizer-identity';

/** Clients that never connect: these tests only look at what the module provides. */
const idle = () => new Redis({ lazyConnect: true });

async function compile(raw: Record<string, string>, ai: typeof AiModule.forApi) {
  const env = validateEnvironment(raw);
  return Test.createTestingModule({
    imports: [
      ConfigModule.forRoot({
        isGlobal: true,
        ignoreEnvFile: true,
        skipProcessEnv: true,
        load: [() => ({ ...env })],
      }),
      ai(),
    ],
  })
    .useMocker((token) => {
      if (token === REQUEST_REDIS || token === WORKER_REDIS) return idle();
      if (token === RedisKeys) return new RedisKeys('');
      return undefined;
    })
    .compile();
}

describe('AiModule', () => {
  it('for workers: provides the configured summarizer, its identity and the credentials state', async () => {
    const moduleRef = await compile({ GEMINI_API_KEY: 'k', AI_FALLBACK: 'local' }, () =>
      AiModule.forWorker(),
    );
    const summarizer = moduleRef.get<Summarizer>(SUMMARIZER);
    expect(summarizer).toBeInstanceOf(FallbackSummarizer);
    expect(moduleRef.get(SUMMARIZER_IDENTITY)).toEqual(summarizer.identity);
    expect(moduleRef.get(AiCredentialsState).snapshot()).toEqual({ ok: true });
    await moduleRef.close();
  });

  it('for workers: the local summarizer by default, run in the CPU pool', async () => {
    const moduleRef = await compile({}, () => AiModule.forWorker());
    expect(moduleRef.get(SUMMARIZER)).toBeInstanceOf(PooledLocalSummarizer);
    await moduleRef.close();
  });

  it('for the API: the identity from the configuration, and no summarizer built to learn it', async () => {
    const moduleRef = await compile({ GEMINI_API_KEY: 'k', GEMINI_MODEL: 'gemini-x' }, () =>
      AiModule.forApi(),
    );
    expect(moduleRef.get(SUMMARIZER_IDENTITY)).toMatchObject({ provider: 'gemini', model: 'gemini-x' });
    expect(() => moduleRef.get(SUMMARIZER)).toThrow();
    await moduleRef.close();
  });
});
