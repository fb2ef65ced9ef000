import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { AiRateLimitedError } from '../../src/ai/ai-errors';
import { GeminiSummarizer } from '../../src/ai/gemini/gemini-summarizer';
import { OpenAiSummarizer } from '../../src/ai/openai/openai-summarizer';
import type { Summary } from '../../src/ai/summarizer';
import { SummarizerFactory } from '../../src/ai/summarizer.factory';
import { validateEnvironment } from '../../src/core/config/environment';
import { BatchAnswers, fakeSummaryOf } from '../fakes/fake-batch';
import { FakeGeminiApi } from '../fakes/fake-gemini-api';
import { FakeOpenAiApi } from '../fakes/fake-openai-api';
import { failure, useFakeApi } from './fake-api-suite';

const DOCS = [
  'Lighthouse keepers repainted the northern tower before winter storms. Volunteers carried paint buckets uphill.',
  'Chess prodigies gathered in Tallinn for the junior championship. Organisers expected record attendance.',
  'Beekeepers reported healthier colonies after a mild spring. Honey yields doubled in orchards.',
  'Cyclists protested potholes along the riverside boulevard. Councillors promised resurfacing funds.',
  'Astronomers catalogued faint comets using repurposed telescopes. Students processed the images.',
];

describe('the batching summarizer the factory builds, against the fake OpenAI-compatible server', () => {
  const fake = useFakeApi(new FakeOpenAiApi());
  const build = (env: Record<string, string> = {}) =>
    SummarizerFactory.create(
      validateEnvironment({
        AI_PROVIDER: 'openai',
        OPENAI_BASE_URL: fake.url,
        OPENAI_MODEL: 'llama3.1:8b',
        AI_PRICES: '{"llama3.1:8b": {"input": 1, "output": 2}}',
        AI_BATCH_WAIT_MS: '200',
        ...env,
      }),
      undefined,
      { batching: true },
    );

  it('serves concurrent summarize() calls with one HTTP call, each its own summary, priced with AI_PRICES', async () => {
    const summarizer = build();

    const results = await Promise.all(DOCS.map((text) => summarizer.summarize({ text })));

    expect(fake.calls).toHaveLength(1);
    expect(fake.calls[0].ids).toEqual(['1', '2', '3', '4', '5']);
    expect(results.map((result) => result.summary)).toEqual(DOCS.map((text) => fakeSummaryOf(text).summary));
    expect(results.reduce((sum, result) => sum + (result.calls ?? 0), 0)).toBe(1);
    // The fake reports 150 input and 50 output tokens for the call: $1 and $2 per million make $0.00025 in all.
    const cost = results.reduce((sum, result) => sum + (result.costUsd ?? NaN), 0);
    expect(cost).toBeCloseTo((150 * 1 + 50 * 2) / 1e6, 12);
  });

  it('falls back locally for the one input whose part of the batch failed for good, and only for it', async () => {
    const summarizer = build({ AI_FALLBACK: 'local' });
    fake.enqueue(
      FakeOpenAiApi.batch(BatchAnswers.wrongShape('2')),
      FakeOpenAiApi.text('still not a summary'),
    );

    const results: Summary[] = await Promise.all(
      DOCS.slice(0, 3).map((text) => summarizer.summarize({ text })),
    );

    expect(results.map((result) => result.fallback !== undefined)).toEqual([false, true, false]);
    expect(results[1].producedBy?.provider).toBe('local');
    expect(results[1].fallback).toMatchObject({ remoteCalls: 1 });
    expect(results[0].summary).toBe(fakeSummaryOf(DOCS[0]).summary);
    expect(fake.calls).toHaveLength(2);
  });

  it('sends every input alone with AI_BATCH_SIZE=1', async () => {
    const summarizer = build({ AI_BATCH_SIZE: '1' });

    await Promise.all(DOCS.slice(0, 3).map((text) => summarizer.summarize({ text })));

    expect(fake.calls).toHaveLength(3);
    expect(fake.batchCalls).toHaveLength(0);
  });
});

describe('what the fakes offer the benchmark', () => {
  describe('a calls-per-window limit', () => {
    const fake = useFakeApi(new FakeGeminiApi({ rateLimit: { calls: 2, perMs: 60_000 } }));

    it('answers calls over the limit with a 429 that says when a slot frees up, and records them', async () => {
      const summarizer = new GeminiSummarizer({
        apiKey: 'k',
        model: 'm',
        baseUrl: fake.url,
        timeoutMs: 2_000,
        maxInputTokens: 8_000,
      });

      await summarizer.summarize({ text: DOCS[0] });
      await summarizer.summarize({ text: DOCS[1] });
      const error = await failure(summarizer.summarize({ text: DOCS[2] }));

      expect(error).toBeInstanceOf(AiRateLimitedError);
      expect((error as AiRateLimitedError).retryAfterMs).toBeGreaterThan(50_000);
      expect((error as AiRateLimitedError).retryAfterMs).toBeLessThanOrEqual(60_000);
      expect(fake.calls.map((call) => call.rateLimited)).toEqual([false, false, true]);
    });
  });

  describe('token usage counted from the whole prompt', () => {
    const gemini = useFakeApi(new FakeGeminiApi({ usage: 'estimated' }));
    const openai = useFakeApi(new FakeOpenAiApi({ usage: 'estimated' }));

    it.each([
      [
        'Gemini',
        () =>
          new GeminiSummarizer({
            apiKey: 'k',
            model: 'm',
            baseUrl: gemini.url,
            timeoutMs: 2_000,
            maxInputTokens: 8_000,
          }),
      ],
      [
        'OpenAI',
        () =>
          new OpenAiSummarizer({ baseUrl: openai.url, model: 'm', timeoutMs: 2_000, maxInputTokens: 8_000 }),
      ],
    ])(
      '%s: one batched call costs far fewer tokens than the same inputs sent one by one',
      async (_name, make) => {
        const summarizer = make();

        const single = await Promise.all(DOCS.map((text) => summarizer.summarize({ text })));
        const batched = await summarizer.summarizeBatch(DOCS.map((text) => ({ text })));

        const singleTokens = single.reduce((sum, result) => sum + (result.usage?.totalTokens ?? 0), 0);
        const batchedTokens = batched.reduce(
          (sum, result) => sum + (result.ok ? (result.summary.usage?.totalTokens ?? 0) : NaN),
          0,
        );
        // A single call's prompt (instructions, schema, fence) is most of its tokens next to a ~25-token document.
        expect(single.every((result) => (result.usage?.inputTokens ?? 0) > 150)).toBe(true);
        expect(batchedTokens).toBeLessThan(singleTokens * 0.6);
      },
    );
  });
});
