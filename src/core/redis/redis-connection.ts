import { Redis, type RedisOptions } from 'ioredis';
import { withDeadline } from '../runtime/with-deadline';

/** A command that gets no answer within this is failed, so a hung Redis turns into a 503, not a hang. */
export const REDIS_COMMAND_TIMEOUT_MS = 1_500;
/** How long start-up waits for Redis before giving up. */
export const REDIS_STARTUP_DEADLINE_MS = 5_000;

/**
 * Keep reconnecting while Redis is away, at most half a second apart, so the service recovers by itself when it
 * returns: the promise is serving again within 2 s of Redis accepting connections, and the longest wait between
 * attempts is the largest part of that (a connection attempt to a loopback or LAN Redis costs next to nothing).
 */
export const reconnectStrategy = (attempt: number): number => Math.min(attempt * 100, 500);

/** Options of the request-path client: fail at once while disconnected instead of queueing commands. */
export const REQUEST_PATH_REDIS_OPTIONS: RedisOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
  enableAutoPipelining: true,
  retryStrategy: reconnectStrategy,
};

/** Options of the workers' client: wait for Redis to come back rather than fail the job. */
export const WORKER_REDIS_OPTIONS: RedisOptions = {
  maxRetriesPerRequest: null,
  enableAutoPipelining: true,
  retryStrategy: reconnectStrategy,
};

/** Masks the password of a Redis URL for messages. */
export function describeRedisUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

/**
 * Waits until Redis answers PING, or fails after `deadlineMs` with a message that says where we looked and how to
 * start one (a service without Redis can do nothing useful, so start-up must not hang on it).
 */
export async function assertRedisReachable(
  url: string,
  deadlineMs = REDIS_STARTUP_DEADLINE_MS,
): Promise<void> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: Math.min(deadlineMs, 3_000),
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  let lastError: unknown;
  // The socket error (ECONNREFUSED, ENOTFOUND…) says more than the command's "Connection is closed".
  client.on('error', (error) => (lastError = error));
  const started = Date.now();
  try {
    while (Date.now() - started < deadlineMs) {
      try {
        if (client.status === 'wait' || client.status === 'end') await client.connect();
        await client.ping();
        return;
      } catch (error) {
        lastError ??= error;
        // Wrong or missing credentials do not fix themselves: say so now rather than at the deadline.
        if (isAuthError(lastError) || isAuthError(error)) break;
        client.disconnect();
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  } finally {
    client.disconnect();
  }
  const reason = lastError instanceof Error ? lastError.message : String(lastError);
  if (isAuthError(lastError)) {
    throw new Error(
      `Redis at ${describeRedisUrl(url)} refused our credentials (${reason}). ` +
        'Put its password in REDIS_URL: redis://:PASSWORD@host:6379 (or redis://USER:PASSWORD@host:6379 with ACL users).',
    );
  }
  throw new Error(
    `Cannot reach Redis at ${describeRedisUrl(url)} (${reason}). ` +
      'Start one with `docker compose up -d redis` or `redis-server --daemonize yes`, or set REDIS_URL.',
  );
}

function isAuthError(error: unknown): boolean {
  return (
    error instanceof Error &&
    /NOAUTH|WRONGPASS|invalid password|invalid username-password/i.test(error.message)
  );
}

/** Thrown when Redis does not answer in time on the request path; the API answers 503. */
export class RedisUnavailableError extends Error {
  constructor(cause?: unknown) {
    super('Redis is unavailable', { cause });
    this.name = 'RedisUnavailableError';
  }
}

/**
 * Bounds a Redis-backed call on the request path. BullMQ's connections queue commands while Redis is away (the
 * workers need that), so without a deadline a request would wait for Redis to come back.
 */
export function withRedisDeadline<T>(
  operation: Promise<T>,
  deadlineMs = REDIS_COMMAND_TIMEOUT_MS,
): Promise<T> {
  return withDeadline(operation, deadlineMs, () => new RedisUnavailableError());
}

const CONNECTION_ERROR =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|Connection is closed|Stream isn't writeable|Command timed out|enableOfflineQueue|MaxRetriesPerRequest|Reached the max retries/i;

/** True for errors that mean "Redis is not reachable now" rather than a bug. */
export function isRedisUnavailableError(error: unknown): boolean {
  if (error instanceof RedisUnavailableError) return true;
  if (!(error instanceof Error)) return false;
  return error.name === 'MaxRetriesPerRequestError' || CONNECTION_ERROR.test(error.message);
}

/**
 * True for Redis refusing a write because it reached `maxmemory` with the `noeviction` policy (the one BullMQ
 * requires). Reads still work; the client should retry later, and an operator must add memory or clean up.
 */
export function isRedisOutOfMemory(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (/^OOM /.test(error.message) || /OOM command not allowed/.test(error.message)) return true;
  // A MULTI whose commands were refused ends as EXECABORT; ioredis keeps the refusals.
  const previous = (error as { previousErrors?: unknown[] }).previousErrors;
  return Array.isArray(previous) && previous.some(isRedisOutOfMemory);
}
