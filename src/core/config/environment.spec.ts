import { describe, expect, it } from 'vitest';
import { validateEnvironment } from './environment';

describe('validateEnvironment', () => {
  it('fills in the documented defaults', () => {
    const env = validateEnvironment({});
    expect(env).toMatchObject({
      PORT: 8080,
      REDIS_URL: 'redis://localhost:6379',
      WORKER_COUNT: 3,
      CACHE_TTL: 300,
      MAX_INPUT_BYTES: 1_048_576,
      PROCESS_ROLE: 'all',
      AI_FALLBACK: 'none',
    });
    expect(env.GEMINI_API_KEY).toBeUndefined();
  });

  it('converts numbers and treats empty optional values as unset', () => {
    const env = validateEnvironment({ PORT: '9000', CACHE_TTL: '60', GEMINI_API_KEY: '', AI_PROVIDER: '' });
    expect(env.PORT).toBe(9000);
    expect(env.CACHE_TTL).toBe(60);
    expect(env.GEMINI_API_KEY).toBeUndefined();
    expect(env.AI_PROVIDER).toBeUndefined();
  });

  it('checks rules across variables in the same message', () => {
    expect(() =>
      validateEnvironment({ AI_PROVIDER: 'gemini', FETCH_ALLOWED_HOSTS: 'localhost', PORT: 'x' }),
    ).toThrow(/PORT=[\s\S]*GEMINI_API_KEY[\s\S]*FETCH_ALLOWED_HOSTS/);
    expect(() => validateEnvironment({ AI_PROVIDER: 'openai' })).toThrow(/OPENAI_BASE_URL/);
    expect(
      validateEnvironment({ GEMINI_API_KEY: 'k', FETCH_ALLOWED_HOSTS: '127.0.0.1:8080, [::1]:9000' }),
    ).toBeTruthy();
  });

  it('reports every bad variable in one message', () => {
    let message = '';
    try {
      validateEnvironment({ PORT: 'x', WORKER_COUNT: '0', REDIS_URL: 'http://h', AI_PROVIDER: 'claude' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^Invalid configuration:/);
    for (const name of ['PORT=', 'WORKER_COUNT=', 'REDIS_URL=', 'AI_PROVIDER='])
      expect(message).toContain(name);
  });

  it('validates the batching and cost settings', () => {
    const env = validateEnvironment({});
    expect(env).toMatchObject({
      GEMINI_MODEL: 'gemini-3.5-flash-lite',
      AI_BATCH_SIZE: 8,
      AI_BATCH_WAIT_MS: 50,
      AI_BATCH_MAX_INPUT_TOKENS: 1000,
      AI_PRICES: '',
    });
    expect(env.AI_DAILY_BUDGET_USD).toBeUndefined();
    expect(validateEnvironment({ AI_DAILY_BUDGET_USD: '' }).AI_DAILY_BUDGET_USD).toBeUndefined();
    expect(validateEnvironment({ AI_DAILY_BUDGET_USD: '0' }).AI_DAILY_BUDGET_USD).toBe(0);
    expect(validateEnvironment({ AI_DAILY_BUDGET_USD: '2.5', AI_BATCH_SIZE: '1' })).toMatchObject({
      AI_DAILY_BUDGET_USD: 2.5,
      AI_BATCH_SIZE: 1,
    });
    const prices = '{"llama3.1:8b": {"input": 0, "output": 0}}';
    expect(validateEnvironment({ AI_PRICES: prices }).AI_PRICES).toBe(prices);
  });

  it('reports bad batching and cost settings together, AI_PRICES with what is wrong in it', () => {
    let message = '';
    try {
      validateEnvironment({
        AI_BATCH_SIZE: '65',
        AI_BATCH_WAIT_MS: '-1',
        AI_BATCH_MAX_INPUT_TOKENS: '0',
        AI_DAILY_BUDGET_USD: 'lots',
        AI_PRICES: '{"gpt-4o-mini": {"input": 0.15}}',
      });
    } catch (error) {
      message = (error as Error).message;
    }
    for (const name of [
      'AI_BATCH_SIZE=',
      'AI_BATCH_WAIT_MS=',
      'AI_BATCH_MAX_INPUT_TOKENS=',
      'AI_DAILY_BUDGET_USD=NaN',
    ])
      expect(message).toContain(name);
    expect(message).toContain('AI_PRICES["gpt-4o-mini"].output must be a number >= 0');
    expect(() => validateEnvironment({ AI_PRICES: 'not json' })).toThrow(/AI_PRICES is not valid JSON/);
  });
});
