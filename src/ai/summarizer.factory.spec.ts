import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { validateEnvironment } from '../core/config/environment';
import { AiBatcher } from './batch/ai-batcher';
import { FallbackSummarizer } from './fallback-summarizer';
import { GeminiSummarizer } from './gemini/gemini-summarizer';
import { LocalSummarizer } from './local/local-summarizer';
import { OpenAiSummarizer } from './openai/openai-summarizer';
import { SummarizerFactory } from './summarizer.factory';

const create = (raw: Record<string, string>, batching = false) =>
  SummarizerFactory.create(validateEnvironment(raw), undefined, { batching });

describe('SummarizerFactory', () => {
  it('defaults to local without a Gemini key, and to Gemini with one', () => {
    expect(create({})).toBeInstanceOf(LocalSummarizer);
    const gemini = create({ GEMINI_API_KEY: 'k' });
    expect(gemini).toBeInstanceOf(GeminiSummarizer);
    expect(gemini.identity).toMatchObject({ provider: 'gemini', model: 'gemini-3.5-flash-lite' });
  });

  it('honours AI_PROVIDER over the presence of a key', () => {
    expect(create({ AI_PROVIDER: 'local', GEMINI_API_KEY: 'k' })).toBeInstanceOf(LocalSummarizer);
    const openai = create({
      AI_PROVIDER: 'openai',
      OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1',
      OPENAI_MODEL: 'llama3.1',
    });
    expect(openai).toBeInstanceOf(OpenAiSummarizer);
    expect(openai.identity).toMatchObject({ provider: 'openai', model: 'llama3.1' });
  });

  it('refuses to start with a provider that lacks its settings', () => {
    expect(() => create({ AI_PROVIDER: 'gemini' })).toThrow('AI_PROVIDER=gemini needs GEMINI_API_KEY');
    expect(() => create({ AI_PROVIDER: 'openai' })).toThrow('AI_PROVIDER=openai needs OPENAI_BASE_URL');
    expect(() =>
      create({ AI_PROVIDER: 'openai', OPENAI_BASE_URL: 'http://x:1/v1', OPENAI_MODEL: ' ' }),
    ).toThrow('AI_PROVIDER=openai needs OPENAI_MODEL');
  });

  it('wraps the remote provider when AI_FALLBACK=local, keeping its identity', () => {
    const wrapped = create({ GEMINI_API_KEY: 'k', AI_FALLBACK: 'local' });
    expect(wrapped).toBeInstanceOf(FallbackSummarizer);
    expect(wrapped.identity.provider).toBe('gemini');
    expect(create({ AI_FALLBACK: 'local' })).toBeInstanceOf(LocalSummarizer);
  });

  it('batches a remote provider only when asked, inside the fallback, and never the local summarizer', () => {
    expect(create({ GEMINI_API_KEY: 'k' })).toBeInstanceOf(GeminiSummarizer);
    expect(create({ GEMINI_API_KEY: 'k' }, true)).toBeInstanceOf(AiBatcher);
    expect(create({ GEMINI_API_KEY: 'k', AI_BATCH_SIZE: '1' }, true)).toBeInstanceOf(GeminiSummarizer);
    expect(create({}, true)).toBeInstanceOf(LocalSummarizer);
    const wrapped = create({ GEMINI_API_KEY: 'k', AI_FALLBACK: 'local' }, true);
    expect(wrapped).toBeInstanceOf(FallbackSummarizer);
    expect(wrapped.identity).toMatchObject({ provider: 'gemini', model: 'gemini-3.5-flash-lite' });
  });
});
