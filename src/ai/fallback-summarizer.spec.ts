import { describe, expect, it } from 'vitest';
import { AiCredentialsError, AiInvalidOutputError, AiRateLimitedError, AiTransientError } from './ai-errors';
import { FallbackSummarizer } from './fallback-summarizer';
import type { SummarizeRequest, Summarizer, Summary } from './summarizer';

const TEXT =
  'Rivers flood more often as winters get warmer. Engineers are raising dikes along the coast. Farmers plan for wetter fields.';
const REMOTE_IDENTITY = {
  provider: 'gemini',
  model: 'gemini-2.5-flash',
  promptVersion: 'summary-v1',
} as const;

class StubRemote implements Summarizer {
  readonly identity = REMOTE_IDENTITY;
  readonly requests: SummarizeRequest[] = [];
  constructor(private readonly outcome: () => Promise<Summary>) {}
  summarize(request: SummarizeRequest): Promise<Summary> {
    this.requests.push(request);
    return this.outcome();
  }
}

const usage = { inputTokens: 100, outputTokens: 20, totalTokens: 120 };
const fails = (error: Error) => new StubRemote(() => Promise.reject(error));
const invalid = () =>
  new AiInvalidOutputError({
    provider: 'gemini',
    problems: ['model returned 5 tags; expected 2–4'],
    rawOutput: '{}',
    usage,
    calls: 2,
  });

describe('FallbackSummarizer', () => {
  it('passes remote results through and keeps the remote identity (the cache key)', async () => {
    const remote = new StubRemote(() => Promise.resolve({ summary: 'A. B.', tags: ['a', 'b'], calls: 1 }));
    const wrapper = new FallbackSummarizer(remote);

    await expect(wrapper.summarize({ text: TEXT })).resolves.toEqual({
      summary: 'A. B.',
      tags: ['a', 'b'],
      calls: 1,
    });
    expect(wrapper.identity).toBe(REMOTE_IDENTITY);
  });

  it('answers locally after a permanent failure, marking the result and carrying the remote cost', async () => {
    const wrapper = new FallbackSummarizer(fails(invalid()));

    const result = await wrapper.summarize({ text: TEXT });

    expect(result.summary.length).toBeGreaterThan(0);
    expect(result.tags.length).toBeGreaterThanOrEqual(2);
    expect(result.producedBy?.provider).toBe('local');
    expect(result.fallback).toEqual({
      reason: 'Invalid model output after one repair attempt: model returned 5 tags; expected 2–4',
      remoteCalls: 2,
      remoteUsage: usage,
    });
  });

  it('falls back on a bad key too (the credentials state still reports it)', async () => {
    const wrapper = new FallbackSummarizer(
      fails(new AiCredentialsError('bad key', { provider: 'gemini', status: 401 })),
    );
    await expect(wrapper.summarize({ text: TEXT })).resolves.toMatchObject({
      fallback: { reason: 'bad key' },
    });
  });

  it('rethrows transient failures unless it is the final attempt', async () => {
    const error = new AiTransientError('500', { provider: 'gemini', reason: 'server_error', status: 500 });

    await expect(new FallbackSummarizer(fails(error)).summarize({ text: TEXT })).rejects.toBe(error);
    await expect(
      new FallbackSummarizer(fails(error)).summarize({ text: TEXT, finalAttempt: true }),
    ).resolves.toMatchObject({
      fallback: { reason: '500', remoteCalls: 1 },
    });
  });

  it('never falls back on a rate limit or a cancellation, even on the final attempt', async () => {
    const limited = new AiRateLimitedError('429', { provider: 'gemini', retryAfterMs: 1000 });
    const aborted = new AiTransientError('aborted', { provider: 'gemini', reason: 'aborted', calls: 0 });

    await expect(
      new FallbackSummarizer(fails(limited)).summarize({ text: TEXT, finalAttempt: true }),
    ).rejects.toBe(limited);
    await expect(
      new FallbackSummarizer(fails(aborted)).summarize({ text: TEXT, finalAttempt: true }),
    ).rejects.toBe(aborted);
  });

  it('treats unknown errors like transient ones', () => {
    expect(FallbackSummarizer.shouldFallBack(new Error('bug'), false)).toBe(false);
    expect(FallbackSummarizer.shouldFallBack(new Error('bug'), true)).toBe(true);
  });

  it('lets the worker call the fallback directly', async () => {
    const wrapper = new FallbackSummarizer(fails(invalid()));
    const result = await wrapper.summarizeWithFallback({ text: TEXT }, new Error('job timed out'));
    expect(result.fallback).toEqual({ reason: 'job timed out', remoteCalls: 0, remoteUsage: undefined });
  });
});
