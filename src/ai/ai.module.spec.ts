import 'reflect-metadata';
import { ConfigModule } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validateEnvironment } from '../core/config/environment';
import { AiCredentialsState } from './ai-credentials-state';
import { AiModule } from './ai.module';
import { FallbackSummarizer } from './fallback-summarizer';
import { LocalSummarizer } from './local/local-summarizer';
import { SUMMARIZER, type Summarizer } from './summarizer';

async function compile(raw: Record<string, string>) {
  const env = validateEnvironment(raw);
  return Test.createTestingModule({
    imports: [ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, validate: () => env }), AiModule],
  }).compile();
}

describe('AiModule', () => {
  // ConfigModule copies validated values into process.env; without a reset they leak into the next test.
  let saved: NodeJS.ProcessEnv;
  beforeEach(() => {
    saved = { ...process.env };
  });
  afterEach(() => {
    process.env = saved;
  });

  it('provides the configured summarizer and the credentials state', async () => {
    const moduleRef = await compile({ GEMINI_API_KEY: 'k', AI_FALLBACK: 'local' });

    const summarizer = moduleRef.get<Summarizer>(SUMMARIZER);
    expect(summarizer).toBeInstanceOf(FallbackSummarizer);
    expect(summarizer.identity.provider).toBe('gemini');
    expect(moduleRef.get(AiCredentialsState).snapshot()).toEqual({ ok: true });
    await moduleRef.close();
  });

  it('provides the local summarizer by default', async () => {
    const moduleRef = await compile({});
    expect(moduleRef.get(SUMMARIZER)).toBeInstanceOf(LocalSummarizer);
    await moduleRef.close();
  });

  it('fails start-up with a clear message when the chosen provider lacks settings', async () => {
    await expect(compile({ AI_PROVIDER: 'gemini' })).rejects.toThrow(
      'AI_PROVIDER=gemini needs GEMINI_API_KEY',
    );
  });
});
