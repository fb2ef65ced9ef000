import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { AiBatcher } from './batch/ai-batcher';
import { FallbackSummarizer } from './fallback-summarizer';
import { GeminiSummarizer } from './gemini/gemini-summarizer';
import { LocalSummarizer } from './local/local-summarizer';
import { OpenAiSummarizer } from './openai/openai-summarizer';
import { SummarizerFactory, type AiConfig } from './summarizer.factory';
import { summarizerIdentityOf } from './summarizer-identity';

/** A configuration as the factory receives it; built by hand so these tests exercise the factory alone. */
const config = (overrides: Partial<AiConfig> = {}): AiConfig => ({
  GEMINI_MODEL: 'gemini-3.5-flash-lite',
  OPENAI_MODEL: 'gpt-4o-mini',
  AI_TIMEOUT_MS: 30_000,
  AI_MAX_INPUT_TOKENS: 8_000,
  AI_FALLBACK: 'none',
  AI_PRICES: '',
  AI_BATCH_SIZE: 8,
  AI_BATCH_WAIT_MS: 50,
  AI_BATCH_MAX_INPUT_TOKENS: 1_000,
  ...overrides,
});

describe('SummarizerFactory', () => {
  it('builds the local summarizer without a Gemini key, and Gemini with one', () => {
    expect(SummarizerFactory.create(config())).toBeInstanceOf(LocalSummarizer);
    const gemini = SummarizerFactory.create(config({ GEMINI_API_KEY: 'k', GEMINI_MODEL: ' gemini-x ' }));
    expect(gemini).toBeInstanceOf(GeminiSummarizer);
    expect(gemini.identity).toMatchObject({ provider: 'gemini', model: 'gemini-x' });
  });

  it('honours AI_PROVIDER over the presence of a key', () => {
    expect(SummarizerFactory.create(config({ AI_PROVIDER: 'local', GEMINI_API_KEY: 'k' }))).toBeInstanceOf(
      LocalSummarizer,
    );
    const openai = SummarizerFactory.create(
      config({
        AI_PROVIDER: 'openai',
        OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1',
        OPENAI_MODEL: 'llama3.1',
      }),
    );
    expect(openai).toBeInstanceOf(OpenAiSummarizer);
    expect(openai.identity).toMatchObject({ provider: 'openai', model: 'llama3.1' });
  });

  it('wraps the remote provider when AI_FALLBACK=local, keeping its identity; the local one needs no wrapper', () => {
    const wrapped = SummarizerFactory.create(config({ GEMINI_API_KEY: 'k', AI_FALLBACK: 'local' }));
    expect(wrapped).toBeInstanceOf(FallbackSummarizer);
    expect(wrapped.identity.provider).toBe('gemini');
    expect(SummarizerFactory.create(config({ AI_FALLBACK: 'local' }))).toBeInstanceOf(LocalSummarizer);
  });

  it('reports the identity the configuration alone predicts (the API keys its cache by that)', () => {
    for (const overrides of [
      {},
      { GEMINI_API_KEY: 'k' },
      { GEMINI_API_KEY: 'k', AI_FALLBACK: 'local' as const },
      { AI_PROVIDER: 'openai' as const, OPENAI_BASE_URL: 'http://127.0.0.1:1/v1', OPENAI_MODEL: 'm ' },
    ]) {
      expect(SummarizerFactory.create(config(overrides)).identity).toEqual(
        summarizerIdentityOf(config(overrides)),
      );
    }
  });

  it('batches a remote provider only when asked, inside the fallback, and never the local summarizer', () => {
    const create = (overrides: Partial<AiConfig>, batching: boolean) =>
      SummarizerFactory.create(config(overrides), undefined, { batching });
    expect(create({ GEMINI_API_KEY: 'k' }, false)).toBeInstanceOf(GeminiSummarizer);
    expect(create({ GEMINI_API_KEY: 'k' }, true)).toBeInstanceOf(AiBatcher);
    expect(create({ GEMINI_API_KEY: 'k', AI_BATCH_SIZE: 1 }, true)).toBeInstanceOf(GeminiSummarizer);
    expect(create({}, true)).toBeInstanceOf(LocalSummarizer);
    const wrapped = create({ GEMINI_API_KEY: 'k', AI_FALLBACK: 'local' }, true);
    expect(wrapped).toBeInstanceOf(FallbackSummarizer);
    expect(wrapped.identity).toMatchObject({ provider: 'gemini', model: 'gemini-3.5-flash-lite' });
  });

  it('refuses a configuration that skipped validation instead of building a provider without its settings', () => {
    expect(() => SummarizerFactory.create(config({ AI_PROVIDER: 'gemini' }))).toThrow(/validateEnvironment/);
    expect(() => SummarizerFactory.create(config({ AI_PROVIDER: 'openai' }))).toThrow(/validateEnvironment/);
  });
});
