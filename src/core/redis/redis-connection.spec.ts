import { describe, expect, it } from 'vitest';
import {
  describeRedisUrl,
  isRedisUnavailableError,
  RedisUnavailableError,
  withRedisDeadline,
} from './redis-connection';

describe('withRedisDeadline', () => {
  it('passes a prompt answer through', async () => {
    await expect(withRedisDeadline(Promise.resolve('PONG'), 50)).resolves.toBe('PONG');
  });

  it('gives up with RedisUnavailableError when Redis does not answer in time', async () => {
    const started = Date.now();
    await expect(withRedisDeadline(new Promise(() => undefined), 50)).rejects.toBeInstanceOf(
      RedisUnavailableError,
    );
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

describe('isRedisUnavailableError', () => {
  it.each([
    new RedisUnavailableError(),
    new Error("Stream isn't writeable and enableOfflineQueue options is false"),
    new Error('connect ECONNREFUSED 127.0.0.1:6379'),
    new Error('Command timed out'),
    Object.assign(new Error('Reached the max retries per request limit'), {
      name: 'MaxRetriesPerRequestError',
    }),
  ])('recognizes %s', (error) => {
    expect(isRedisUnavailableError(error)).toBe(true);
  });

  it('does not take bugs for outages', () => {
    expect(isRedisUnavailableError(new TypeError('x is undefined'))).toBe(false);
    expect(isRedisUnavailableError('ECONNREFUSED')).toBe(false);
  });
});

describe('describeRedisUrl', () => {
  it('masks the password', () => {
    expect(describeRedisUrl('redis://user:secret@host:6380/2')).toBe('redis://user:***@host:6380/2');
  });
});
