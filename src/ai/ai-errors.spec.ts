import { describe, expect, it } from 'vitest';
import {
  AiCredentialsError,
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
});
