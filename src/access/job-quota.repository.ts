import { Inject, Injectable } from '@nestjs/common';
import type { Redis, Result } from 'ioredis';
import { REQUEST_REDIS } from '../core/redis/redis.constants';
import { RedisKeys } from '../core/redis/redis-keys';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    smartcacheReserveJob(
      counter: string,
      limit: number,
      ttlSeconds: number,
    ): Result<[number, number], Context>;
    smartcacheRefundJob(counter: string): Result<number, Context>;
  }
}

/** A day's counter outlives its day, so a refund just after midnight still finds it. */
const COUNTER_TTL_SECONDS = 2 * 86_400;

/** Counts one job unless the day's quota is used up (limit 0 = no quota, counted all the same). */
const RESERVE_LUA = `
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local limit = tonumber(ARGV[1])
if limit > 0 and used >= limit then return {0, used} end
used = redis.call('INCR', KEYS[1])
if used == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return {1, used}
`;

/** Gives one back; never below zero, never creates the counter. */
const REFUND_LUA = `
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if used <= 0 then return 0 end
return redis.call('DECR', KEYS[1])
`;

/** The outcome of a reservation: whether a job may be made, and the day's count (with it, when granted). */
export interface Reservation {
  readonly granted: boolean;
  readonly used: number;
}

/**
 * The daily quota of new AI jobs per API key: a counter per key and UTC day (`quota:jobs:{id}:{day}`). A job is
 * reserved atomically before it is enqueued and refunded when the enqueue made none (a join) or failed, so the count
 * is the jobs the key really made, exactly, across every API process.
 */
@Injectable()
export class JobQuotaRepository {
  constructor(
    @Inject(REQUEST_REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {
    redis.defineCommand('smartcacheReserveJob', { numberOfKeys: 1, lua: RESERVE_LUA });
    redis.defineCommand('smartcacheRefundJob', { numberOfKeys: 1, lua: REFUND_LUA });
  }

  async reserve(keyId: string, day: string, limit: number): Promise<Reservation> {
    const [granted, used] = await this.redis.smartcacheReserveJob(
      this.keys.dailyJobs(keyId, day),
      limit,
      COUNTER_TTL_SECONDS,
    );
    return { granted: granted === 1, used };
  }

  /** Gives back a reservation of `day` (the day it was made, even if midnight has passed since). */
  async refund(keyId: string, day: string): Promise<void> {
    await this.redis.smartcacheRefundJob(this.keys.dailyJobs(keyId, day));
  }

  async used(keyId: string, day: string): Promise<number> {
    return Number((await this.redis.get(this.keys.dailyJobs(keyId, day))) ?? 0);
  }
}
