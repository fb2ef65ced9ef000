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

  it('takes an optional ADMIN_TOKEN of at least 16 printable characters and never repeats it in errors', () => {
    expect(validateEnvironment({}).ADMIN_TOKEN).toBeUndefined();
    expect(validateEnvironment({ ADMIN_TOKEN: '' }).ADMIN_TOKEN).toBeUndefined();
    expect(validateEnvironment({ ADMIN_TOKEN: 'a-long-enough-token' }).ADMIN_TOKEN).toBe(
      'a-long-enough-token',
    );
    for (const bad of ['short-secret', 'a token with spaces in it'])
      expect(() => validateEnvironment({ ADMIN_TOKEN: bad })).toThrow(/ADMIN_TOKEN=\(hidden\)/);
    expect(() => validateEnvironment({ ADMIN_TOKEN: 'short-secret' })).not.toThrow(/short-secret/);
  });
});
