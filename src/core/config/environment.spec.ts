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

  it('is the one place that checks a provider has its settings', () => {
    expect(() => validateEnvironment({ AI_PROVIDER: 'gemini' })).toThrow(
      'AI_PROVIDER=gemini needs GEMINI_API_KEY',
    );
    expect(() => validateEnvironment({ AI_PROVIDER: 'openai' })).toThrow(
      'AI_PROVIDER=openai needs OPENAI_BASE_URL',
    );
    // An empty model name is unset, so the provider's default model applies.
    expect(validateEnvironment({ GEMINI_API_KEY: 'k', GEMINI_MODEL: ' ' }).GEMINI_MODEL).toBe(
      'gemini-3.5-flash-lite',
    );
  });

  it('says what a variable must be once, showing the value as given', () => {
    const message = errorOf({ PORT: 'eighty' });
    expect(message).toContain('PORT="eighty": must be an integer from 0 to 65535');
    expect(message.split('\n').filter((line) => line.includes('PORT'))).toHaveLength(1);
    expect(errorOf({ AI_PROVIDER: 'claude' })).toContain(
      'AI_PROVIDER="claude": must be one of: local, gemini, openai',
    );
    expect(errorOf({ REDIS_URL: 'http://cache:6379' })).toMatch(
      /REDIS_URL="http:\/\/cache:6379": must be a redis:\/\/ or rediss:\/\/ URL/,
    );
  });

  it('treats an empty value as unset, and names in any case as the same value', () => {
    expect(validateEnvironment({ PORT: '', WORKER_COUNT: ' ' })).toMatchObject({
      PORT: 8080,
      WORKER_COUNT: 3,
    });
    expect(
      validateEnvironment({ AI_PROVIDER: 'Gemini', GEMINI_API_KEY: 'k', PROCESS_ROLE: 'API' }),
    ).toMatchObject({ AI_PROVIDER: 'gemini', PROCESS_ROLE: 'api' });
  });

  it('never prints secrets or passwords', () => {
    const message = errorOf({
      REDIS_URL: 'redis://:hunter2@localhost:6379',
      OPENAI_API_KEY: 'sk-live-1',
      PORT: 'x',
    });
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain('sk-live-1');
    expect(errorOf({ REDIS_URL: 'http://:hunter2@h:1' })).toContain('***');
    // Not a secret: shown as given, so the mistake can be seen.
    expect(errorOf({ REDIS_KEY_PREFIX: 'a:b:' })).toContain('REDIS_KEY_PREFIX="a:b:"');
  });
});

describe('ADMIN_TOKEN', () => {
  it('is optional, at least 16 printable characters, and never repeated in errors', () => {
    expect(validateEnvironment({}).ADMIN_TOKEN).toBeUndefined();
    expect(validateEnvironment({ ADMIN_TOKEN: '' }).ADMIN_TOKEN).toBeUndefined();
    expect(validateEnvironment({ ADMIN_TOKEN: 'a-long-enough-token' }).ADMIN_TOKEN).toBe(
      'a-long-enough-token',
    );
    for (const bad of ['short-secret', 'a token with spaces in it']) {
      expect(errorOf({ ADMIN_TOKEN: bad })).toContain('ADMIN_TOKEN="***"');
      expect(errorOf({ ADMIN_TOKEN: bad })).not.toContain(bad);
    }
  });
});

describe('webhook settings', () => {
  const key = (bytes: number) => `whsec_${Buffer.alloc(bytes, 7).toString('base64')}`;

  it('has the documented defaults, webhooks off', () => {
    expect(validateEnvironment({})).toMatchObject({
      WEBHOOK_MAX_ATTEMPTS: 8,
      WEBHOOK_TIMEOUT_MS: 10_000,
      WEBHOOK_BACKOFF_MS: 10_000,
      WEBHOOK_RECHECK_MS: 30_000,
      WEBHOOK_CONCURRENCY: 10,
    });
    expect(validateEnvironment({}).WEBHOOK_SECRET).toBeUndefined();
    expect(validateEnvironment({ WEBHOOK_SECRET: ' ' }).WEBHOOK_SECRET).toBeUndefined();
  });

  it('takes a whsec_ secret whose base64 key has at least 24 bytes', () => {
    expect(validateEnvironment({ WEBHOOK_SECRET: key(24) }).WEBHOOK_SECRET).toBe(key(24));
    expect(validateEnvironment({ WEBHOOK_SECRET: key(32) }).WEBHOOK_SECRET).toBe(key(32));
  });

  it('refuses short keys, no prefix, or bad base64, and never prints the secret', () => {
    const bad = [
      key(23),
      Buffer.alloc(32, 7).toString('base64'),
      'whsec_not base64 at all, not at all!!',
      `whsec_${Buffer.alloc(32, 7).toString('base64url')}-_`,
      `${key(32)}x`,
    ];
    for (const value of bad) {
      const message = errorOf({ WEBHOOK_SECRET: value });
      expect(message).toContain('WEBHOOK_SECRET="***"');
      expect(message).toContain('at least 24 random bytes');
      expect(message).not.toContain(value);
    }
  });

  it('bounds the attempts and the timeout', () => {
    const message = errorOf({ WEBHOOK_MAX_ATTEMPTS: '0', WEBHOOK_TIMEOUT_MS: '10', WEBHOOK_RECHECK_MS: 'x' });
    for (const name of ['WEBHOOK_MAX_ATTEMPTS=', 'WEBHOOK_TIMEOUT_MS=', 'WEBHOOK_RECHECK_MS='])
      expect(message).toContain(name);
  });
});

describe('validateEnvironment: batching and cost settings', () => {
  it('has the documented defaults, and takes a budget of 0', () => {
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
    const message = errorOf({
      AI_BATCH_SIZE: '65',
      AI_BATCH_WAIT_MS: '-1',
      AI_BATCH_MAX_INPUT_TOKENS: '0',
      AI_DAILY_BUDGET_USD: 'lots',
      AI_PRICES: '{"gpt-4o-mini": {"input": 0.15}}',
    });
    for (const name of [
      'AI_BATCH_SIZE=',
      'AI_BATCH_WAIT_MS=',
      'AI_BATCH_MAX_INPUT_TOKENS=',
      'AI_DAILY_BUDGET_USD="lots"',
    ])
      expect(message).toContain(name);
    expect(message).toContain('AI_PRICES["gpt-4o-mini"].output must be a number >= 0');
    expect(errorOf({ AI_PRICES: 'not json' })).toMatch(/AI_PRICES is not valid JSON/);
  });
});

function errorOf(raw: Record<string, string>): string {
  try {
    validateEnvironment(raw);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the configuration to be refused');
}

describe('validateEnvironment: persistence settings', () => {
  it('leaves persistence off by default, with the documented defaults', () => {
    const env = validateEnvironment({ DATABASE_URL: '' });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env).toMatchObject({
      DATABASE_TIMEOUT_MS: 250,
      DATABASE_POOL_SIZE: 10,
      ARCHIVE_MAX_AGE: 30 * 86_400,
      HISTORY_RETENTION_DAYS: 90,
      HISTORY_WRITER_BATCH_SIZE: 500,
    });
  });

  it('reads ARCHIVE_MAX_AGE as seconds or a duration', () => {
    expect(validateEnvironment({ ARCHIVE_MAX_AGE: '12h' }).ARCHIVE_MAX_AGE).toBe(43_200);
    expect(validateEnvironment({ ARCHIVE_MAX_AGE: '3600' }).ARCHIVE_MAX_AGE).toBe(3_600);
  });

  it('reports a bad DATABASE_URL and ARCHIVE_MAX_AGE together', () => {
    expect(() =>
      validateEnvironment({
        DATABASE_URL: 'mysql://db/x',
        ARCHIVE_MAX_AGE: '30 days',
        HISTORY_RETENTION_DAYS: '0',
      }),
    ).toThrow(/DATABASE_URL[\s\S]*ARCHIVE_MAX_AGE="30 days"[\s\S]*HISTORY_RETENTION_DAYS/);
    expect(validateEnvironment({ DATABASE_URL: 'postgresql://u:p@db:5432/app' }).DATABASE_URL).toBe(
      'postgresql://u:p@db:5432/app',
    );
  });
});

describe('validateEnvironment: access settings', () => {
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
        API_KEYS_REQUIRED: 'maybe',
        RATE_LIMIT_RPM: '-1',
        DAILY_JOB_LIMIT: '1.5',
        TRUST_PROXY: '2',
      }),
    ).toThrow(/API_KEYS_REQUIRED[\s\S]*RATE_LIMIT_RPM[\s\S]*DAILY_JOB_LIMIT[\s\S]*TRUST_PROXY/);
  });
});
