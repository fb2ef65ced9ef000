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

  it('validates the access variables: booleans, limits, trusted proxies and the admin token length', () => {
    expect(validateEnvironment({})).toMatchObject({
      API_KEYS_REQUIRED: false,
      RATE_LIMIT_RPM: 0,
      DAILY_JOB_LIMIT: 1_000,
      TRUST_PROXY: 'false',
    });
    expect(
      validateEnvironment({
        API_KEYS_REQUIRED: 'TRUE',
        RATE_LIMIT_RPM: '300',
        TRUST_PROXY: '10.0.0.0/8, loopback',
      }),
    ).toMatchObject({ API_KEYS_REQUIRED: true, RATE_LIMIT_RPM: 300 });
    expect(() =>
      validateEnvironment({
        API_KEYS_REQUIRED: 'yes',
        RATE_LIMIT_RPM: '-1',
        DAILY_JOB_LIMIT: '1.5',
        TRUST_PROXY: '2',
        ADMIN_TOKEN: 'short',
      }),
    ).toThrow(
      /API_KEYS_REQUIRED[\s\S]*RATE_LIMIT_RPM[\s\S]*DAILY_JOB_LIMIT[\s\S]*ADMIN_TOKEN[\s\S]*TRUST_PROXY/,
    );
  });
});
