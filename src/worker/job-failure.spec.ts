import { UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { AiPermanentError, AiTransientError } from '../ai/ai-errors';
import { ContentFetchError } from '../content/content-errors';
import { toJobError, withFailedAttempt } from './job-failure';

describe('toJobError', () => {
  it('makes permanent content failures unrecoverable, keeping the message and the cause', () => {
    const cause = new ContentFetchError('The page answered 404 Not Found.', 'http-status', false, {
      status: 404,
    });
    const mapped = toJobError(cause);
    expect(mapped).toBeInstanceOf(UnrecoverableError);
    expect((mapped as Error).message).toBe('The page answered 404 Not Found.');
    expect((mapped as Error).cause).toBe(cause);
  });

  it('makes permanent AI failures unrecoverable', () => {
    const error = new AiPermanentError('no such model', { provider: 'gemini', reason: 'unknown_model' });
    expect(toJobError(error)).toBeInstanceOf(UnrecoverableError);
  });

  it('leaves retryable failures as they are, for BullMQ to retry', () => {
    const content = new ContentFetchError('The server answered 503.', 'http-status', true, { status: 503 });
    const ai = new AiTransientError('boom', { provider: 'gemini', reason: 'server_error' });
    const plain = new Error('socket hang up');
    expect(toJobError(content)).toBe(content);
    expect(toJobError(ai)).toBe(ai);
    expect(toJobError(plain)).toBe(plain);
  });
});

describe('withFailedAttempt', () => {
  const usage = (totalTokens: number) => ({ inputTokens: totalTokens - 50, outputTokens: 50, totalTokens });

  it('adds each billed attempt to the job, cost and tokens', () => {
    const once = withFailedAttempt(undefined, { usage: usage(350), costUsd: 0.0001 });
    expect(once).toEqual({ costUsd: 0.0001, totalTokens: 350 });
    expect(withFailedAttempt(once, { usage: usage(400), costUsd: 0.0002 })).toEqual({
      costUsd: 0.0001 + 0.0002,
      totalTokens: 750,
    });
  });

  it('leaves the cost unknown (null, not 0) once an attempt used a model without a price', () => {
    const unpriced = withFailedAttempt(undefined, { usage: usage(350), costUsd: undefined });
    expect(unpriced).toEqual({ costUsd: null, totalTokens: 350 });
    expect(withFailedAttempt(unpriced, { usage: usage(100), costUsd: 0.0001 })).toEqual({
      costUsd: null,
      totalTokens: 450,
    });
  });

  it('changes nothing for an attempt that was billed nothing (no answer reached us)', () => {
    const before = { costUsd: 0.0001, totalTokens: 350 };
    expect(withFailedAttempt(before, { usage: undefined, costUsd: undefined })).toBe(before);
    expect(withFailedAttempt(undefined, { usage: undefined, costUsd: undefined })).toBeUndefined();
  });
});
