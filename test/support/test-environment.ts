import { randomUUID } from 'node:crypto';
import { validateEnvironment, type Environment } from '../../src/core/config/environment';

/** The Redis the tests use: REDIS_URL when set (CI), else the local default. */
export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A fresh key prefix per app or test, so no test sees another's (or an earlier run's) keys. */
export function uniquePrefix(): string {
  return `test-${randomUUID().slice(0, 8)}:`;
}

/**
 * A validated environment for a test app: its own key prefix, quiet logs, fast retries and stall detection, and an
 * ephemeral metrics port for worker-only apps (test files run in parallel; the default 9464 would collide).
 */
export function testEnvironment(overrides: Record<string, string> = {}): Environment {
  return validateEnvironment({
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: uniquePrefix(),
    LOG_LEVEL: 'silent',
    JOB_BACKOFF_MS: '50',
    METRICS_PORT: '0',
    ...overrides,
  });
}
