import { describe, expect, it } from 'vitest';
import {
  AiCredentialsError,
  AiInvalidOutputError,
  AiRateLimitedError,
  AiTransientError,
  parseDurationMs,
  parseRetryAfterMs,
} from './ai-errors';

describe('ai errors', () => {
  it('parses protobuf durations from RetryInfo', () => {
    expect(parseDurationMs('17s')).toBe(17_000);
    expect(parseDurationMs('0.5s')).toBe(500);
    expect(parseDurationMs('1.2501s')).toBe(1251);
    expect(parseDurationMs(3)).toBe(3000);
    expect(parseDurationMs('soon')).toBeUndefined();
    expect(parseDurationMs(undefined)).toBeUndefined();
  });

  it('parses Retry-After as seconds or a date, preferring retry-after-ms', () => {
    expect(parseRetryAfterMs(new Headers({ 'retry-after': '7' }))).toBe(7000);
    expect(parseRetryAfterMs(new Headers({ 'retry-after': '7', 'retry-after-ms': '1500' }))).toBe(1500);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfterMs(new Headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:30 GMT' }), now)).toBe(
      30_000,
    );
    expect(parseRetryAfterMs(new Headers({ 'retry-after': 'later' }))).toBeUndefined();
    expect(parseRetryAfterMs(new Headers())).toBeUndefined();
    expect(parseRetryAfterMs(undefined)).toBeUndefined();
  });

  it('classifies retryability and keeps the cause', () => {
    const cause = new Error('socket hang up');
    const transient = new AiTransientError('down', { provider: 'openai', reason: 'connection', cause });
    expect(transient).toMatchObject({
      name: 'AiTransientError',
      kind: 'transient',
      retryable: true,
      calls: 1,
    });
    expect(transient.cause).toBe(cause);
    expect(new AiRateLimitedError('slow', { provider: 'gemini', retryAfterMs: 5 }).retryable).toBe(true);
    const bad = new AiCredentialsError('bad key', { provider: 'gemini', status: 403 });
    expect(bad).toMatchObject({
      name: 'AiCredentialsError',
      kind: 'permanent',
      reason: 'bad_credentials',
      retryable: false,
    });
  });

  it('charges a copy differently (an item of a failed batch) and keeps everything else', () => {
    const cause = new Error('HTTP 429');
    const shared = new AiRateLimitedError('slow down', {
      provider: 'gemini',
      status: 429,
      retryAfterMs: 7_000,
      calls: 1,
      cause,
    });

    const share = shared.withCharges({
      calls: 0,
      usage: { inputTokens: 5, outputTokens: 0, totalTokens: 5 },
      costUsd: 0.1,
    });

    expect(share).toBeInstanceOf(AiRateLimitedError);
    expect(share).toMatchObject({
      message: 'slow down',
      status: 429,
      retryAfterMs: 7_000,
      kind: 'rate_limited',
    });
    expect(share.cause).toBe(cause);
    expect(share).toMatchObject({ calls: 0, costUsd: 0.1, usage: { totalTokens: 5 } });
    expect(shared).toMatchObject({ calls: 1, costUsd: undefined, usage: undefined });
  });

  it('says where an invalid batched answer first went wrong', () => {
    const error = new AiInvalidOutputError({
      provider: 'openai',
      problems: ['model returned 1 sentence; expected 2–3'],
      rawOutput: '{}',
      context: 'the batched answer had no element with id "2"',
    });

    expect(error.message).toBe(
      'Invalid model output after one repair attempt (the batched answer had no element with id "2"): model returned 1 sentence; expected 2–3',
    );
  });
});
