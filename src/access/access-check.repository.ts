import DataLoader from 'dataloader';
import type { Redis, Result } from 'ioredis';
import type { RedisKeys } from '../core/redis/redis-keys';
import { ACCESS_CHECK_LUA } from './access-check.script';
import type { Clock } from './clock';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** ACCESS_CHECK_LUA, defined on the request-path client by AccessCheckRepository. */
    smartcacheAccessCheck(numKeys: number, ...keysAndArgs: Array<string | number>): Result<string, Context>;
  }
}

/** The request-rate window: 60 s, counted in 100 ms buckets (see access-check.script.ts). */
export const RATE_WINDOW_MS = 60_000;
export const RATE_BUCKET_MS = 100;
/** Checks of one event-loop turn go to Redis as one script call of at most this many. */
const MAX_CHECKS_PER_SCRIPT = 128;

/** What to check: an API key (by its fingerprint) or a client IP. */
export type AccessCheck =
  | { readonly kind: 'key'; readonly id: string; readonly secretSha256: string }
  | { readonly kind: 'ip'; readonly address: string };

/** Where a client stands in its request-rate window. */
export interface RateWindow {
  readonly limit: number;
  readonly remaining: number;
  /** Until the oldest counted request leaves the window (more quota then). */
  readonly resetMs: number;
  /** Until a retry can pass; 0 when the request was accepted. */
  readonly retryMs: number;
}

export type AccessCheckResult =
  | { readonly status: 'unknown' }
  | { readonly status: 'revoked' }
  | {
      readonly status: 'allowed' | 'limited';
      readonly cache: 'shared' | 'private';
      /** Null when no rate limit applies (0). */
      readonly rate: RateWindow | null;
      /** The key's daily job quota (0 = none; 0 for IP checks). */
      readonly dailyJobLimit: number;
    };

export interface AccessCheckSettings {
  /** Requests per minute of keys without their own, and of IPs; 0 = no limit. */
  readonly defaultRpm: number;
  /** Daily jobs of keys without their own; 0 = no quota. */
  readonly defaultDailyJobs: number;
  readonly windowMs?: number;
  readonly bucketMs?: number;
}

/**
 * Checks requests against their API key and limits in Redis, every check of one event-loop turn in one script call
 * (ACCESS_CHECK_LUA). The batch is flushed on setImmediate, exactly as SummaryCacheRepository flushes its MGET, and
 * both go out on the same auto-pipelining client: the two commands leave in one write and their replies come back
 * in one read, so a request that checks its key and reads the cache waits for one round trip. Nothing about a key is
 * kept in this process: revocation and limit changes hold from the next request on, on every process.
 */
export class AccessCheckRepository {
  private readonly windowMs: number;
  private readonly bucketMs: number;
  private readonly checks = new DataLoader<AccessCheck, AccessCheckResult>((batch) => this.run(batch), {
    cache: false,
    // The same schedule as the cache's MGET (SummaryCacheRepository), so both join one auto-pipeline.
    batchScheduleFn: (flush) => setImmediate(flush),
    maxBatchSize: MAX_CHECKS_PER_SCRIPT,
  });

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly clock: Clock,
    private readonly settings: AccessCheckSettings,
  ) {
    this.windowMs = settings.windowMs ?? RATE_WINDOW_MS;
    this.bucketMs = settings.bucketMs ?? RATE_BUCKET_MS;
    redis.defineCommand('smartcacheAccessCheck', { lua: ACCESS_CHECK_LUA });
  }

  /** Checks one request (and, unless refused, counts it in its window). */
  check(check: AccessCheck): Promise<AccessCheckResult> {
    return this.checks.load(check);
  }

  private async run(batch: readonly AccessCheck[]): Promise<AccessCheckResult[]> {
    // Each client once (a busy key's many requests share its names and hash), then each check by client index.
    const keys: string[] = [];
    const secrets: string[] = [];
    const indexes: number[] = [];
    const clients = new Map<string, number>();
    for (const check of batch) {
      const name = check.kind === 'key' ? check.secretSha256 : `ip:${check.address}`;
      let index = clients.get(name);
      if (index === undefined) {
        index = clients.size + 1;
        clients.set(name, index);
        if (check.kind === 'key') {
          keys.push(this.keys.rateLimit(`key:${check.id}`), this.keys.apiKey(check.id));
          secrets.push(check.secretSha256);
        } else {
          keys.push(this.keys.rateLimit(name));
          secrets.push('');
        }
      }
      indexes.push(index);
    }
    const args = [
      this.clock.now(),
      this.windowMs,
      this.bucketMs,
      clients.size,
      this.settings.defaultRpm,
      this.settings.defaultDailyJobs,
      ...secrets,
      ...indexes,
    ];
    const reply = parseIntegers(await this.redis.smartcacheAccessCheck(keys.length, ...keys, ...args));
    const results: AccessCheckResult[] = [];
    for (let i = 0; i < batch.length; i++) results.push(toResult(reply, i * 7));
    return results;
  }
}

const STATUSES = ['allowed', 'limited', 'unknown', 'revoked'] as const;
const COMMA = 44;
const MINUS = 45;
const ZERO = 48;

/** The script's comma-separated integers, read digit by digit (no substring per value). */
function parseIntegers(text: string): number[] {
  const values: number[] = [];
  let value = 0;
  let sign = 1;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === COMMA) {
      values.push(sign * value);
      value = 0;
      sign = 1;
    } else if (code === MINUS) sign = -1;
    else value = value * 10 + (code - ZERO);
  }
  values.push(sign * value);
  return values;
}

/** One check's 7 integers of the script's reply (ACCESS_CHECK_LUA). */
function toResult(reply: readonly number[], at: number): AccessCheckResult {
  const status = STATUSES[reply[at]];
  if (status === 'unknown' || status === 'revoked') return { status };
  const limit = reply[at + 2];
  return {
    status,
    cache: reply[at + 1] === 1 ? 'private' : 'shared',
    rate:
      limit > 0 ? { limit, remaining: reply[at + 3], resetMs: reply[at + 4], retryMs: reply[at + 5] } : null,
    dailyJobLimit: reply[at + 6],
  };
}
