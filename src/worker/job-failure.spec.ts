import { UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { AiPermanentError, AiTransientError } from '../ai/ai-errors';
import { ContentFetchError } from '../content/content-errors';
import { toJobError } from './job-failure';

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
