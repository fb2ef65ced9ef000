import { beforeEach, describe, expect, it } from 'vitest';
import { AiCredentialsState } from '../../src/ai/ai-credentials-state';
import { AiTransientError } from '../../src/ai/ai-errors';
import { FallbackSummarizer } from '../../src/ai/fallback-summarizer';
import { GeminiSummarizer } from '../../src/ai/gemini/gemini-summarizer';
import { FakeGeminiApi } from '../fakes/fake-gemini-api';
import { useFakeApi } from './fake-api-suite';

const TEXT =
  'The museum reopened after a two-year renovation. Its new wing shows modern art from local painters. Entry stays free on Sundays.';

describe('FallbackSummarizer around Gemini, against the fake API', () => {
  const fake = useFakeApi(new FakeGeminiApi());
  let credentials: AiCredentialsState;
  let summarizer: FallbackSummarizer;

  beforeEach(() => {
    credentials = new AiCredentialsState();
    summarizer = new FallbackSummarizer(
      new GeminiSummarizer({
        apiKey: 'key',
        model: 'gemini-2.5-flash',
        baseUrl: fake.url,
        timeoutMs: 300,
        maxInputTokens: 8000,
        credentials,
      }),
    );
  });

  it('answers locally after a bad key, marks the result, and still reports the key on /health', async () => {
    fake.enqueue(FakeGeminiApi.unauthorized());

    const result = await summarizer.summarize({ text: TEXT });

    expect(result.fallback).toMatchObject({ remoteCalls: 1 });
    expect(result.fallback?.reason).toContain('Gemini rejected the API key');
    expect(result.producedBy?.provider).toBe('local');
    expect(summarizer.identity.provider).toBe('gemini');
    expect(credentials.snapshot()).toMatchObject({ ok: false, status: 401 });
    expect(fake.calls).toHaveLength(1);
  });

  it('answers locally after invalid output survives the repair, carrying the tokens spent', async () => {
    fake.enqueue(FakeGeminiApi.text('nope'), FakeGeminiApi.text('nope'));

    const result = await summarizer.summarize({ text: TEXT });

    expect(result.fallback).toMatchObject({ remoteCalls: 2, remoteUsage: { totalTokens: 320 } });
    expect(fake.calls).toHaveLength(2);
  });

  it('lets a timeout fail the attempt so the queue retries, and falls back on the final attempt', async () => {
    fake.enqueue(FakeGeminiApi.hang(), FakeGeminiApi.hang());

    await expect(summarizer.summarize({ text: TEXT })).rejects.toBeInstanceOf(AiTransientError);
    const last = await summarizer.summarize({ text: TEXT, finalAttempt: true });

    expect(last.fallback?.reason).toBe('Gemini call timed out');
    expect(fake.calls).toHaveLength(2);
  });
});
