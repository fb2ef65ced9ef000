import { Inject, Injectable } from '@nestjs/common';
import type { Redis, Result } from 'ioredis';
import { REQUEST_REDIS } from '../core/redis/redis.constants';
import { RedisKeys } from '../core/redis/redis-keys';
import { fingerprintOf, generateApiKeySecret } from './api-key-secret';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    smartcacheCreateApiKey(
      record: string,
      index: string,
      id: string,
      createdMs: number,
      ...fields: string[]
    ): Result<number, Context>;
    smartcacheRevokeApiKey(record: string, revokedAt: string): Result<[string, string | null], Context>;
  }
}

export type CacheScopeName = 'shared' | 'private';

/** An API key as stored (`apikey:{id}`), without its hash. */
export interface ApiKeyRecord {
  readonly id: string;
  readonly name: string;
  /** Its own requests per minute; null = RATE_LIMIT_RPM. 0 = no limit. */
  readonly rpm: number | null;
  /** Its own daily new-job quota; null = DAILY_JOB_LIMIT. 0 = no quota. */
  readonly dailyJobs: number | null;
  readonly cache: CacheScopeName;
  /** ISO 8601. */
  readonly createdAt: string;
  /** ISO 8601; null while the key is valid. */
  readonly revokedAt: string | null;
}

export interface NewApiKey {
  readonly name: string;
  readonly rpm?: number;
  readonly dailyJobs?: number;
  readonly cache?: CacheScopeName;
}

export type RevokeOutcome =
  | { readonly status: 'revoked'; readonly revokedAt: string }
  | { readonly status: 'already-revoked'; readonly revokedAt: string }
  | { readonly status: 'unknown' };

/** Writes the record and its index entry together, or nothing when the id exists (ids derive from random secrets). */
const CREATE_LUA = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
return 1
`;

/** Marks a key revoked once; says whether it was unknown or already revoked (and when). */
const REVOKE_LUA = `
if redis.call('EXISTS', KEYS[1]) == 0 then return {'unknown', false} end
local at = redis.call('HGET', KEYS[1], 'revoked_at')
if at then return {'already-revoked', at} end
redis.call('HSET', KEYS[1], 'revoked_at', ARGV[1])
return {'revoked', ARGV[1]}
`;

/**
 * API keys in Redis: one HASH per key (`apikey:{id}`: name, limits, cache scope, dates and the SHA-256 of the secret,
 * never the secret) and a ZSET of ids by creation time. Used by the `apikey` CLI and GET /api/usage; the request
 * path reads records inside the access-check script instead (access-check.repository.ts). Writes are single scripts,
 * so a failed command leaves nothing half-made.
 */
@Injectable()
export class ApiKeyRepository {
  constructor(
    @Inject(REQUEST_REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {
    redis.defineCommand('smartcacheCreateApiKey', { numberOfKeys: 2, lua: CREATE_LUA });
    redis.defineCommand('smartcacheRevokeApiKey', { numberOfKeys: 1, lua: REVOKE_LUA });
  }

  /** Creates a key; the secret is returned here and never stored or shown again. */
  async create(input: NewApiKey, now = new Date()): Promise<{ record: ApiKeyRecord; secret: string }> {
    for (;;) {
      const secret = generateApiKeySecret();
      const { id, secretSha256 } = fingerprintOf(secret);
      const record: ApiKeyRecord = {
        id,
        name: input.name,
        rpm: input.rpm ?? null,
        dailyJobs: input.dailyJobs ?? null,
        cache: input.cache ?? 'shared',
        createdAt: now.toISOString(),
        revokedAt: null,
      };
      const fields = ['id', id, 'name', record.name, 'secret_sha256', secretSha256, 'cache', record.cache];
      fields.push('created_at', record.createdAt);
      if (record.rpm !== null) fields.push('rpm', String(record.rpm));
      if (record.dailyJobs !== null) fields.push('daily_jobs', String(record.dailyJobs));
      const created = await this.redis.smartcacheCreateApiKey(
        this.keys.apiKey(id),
        this.keys.apiKeyIndex(),
        id,
        now.getTime(),
        ...fields,
      );
      // A 64-bit id collision: draw another secret.
      if (created === 1) return { record, secret };
    }
  }

  async find(id: string): Promise<ApiKeyRecord | null> {
    const fields = await this.redis.hgetall(this.keys.apiKey(id));
    return fields.id === undefined ? null : toRecord(fields);
  }

  /** Every key, oldest first (at most `limit`). */
  async list(limit = 10_000): Promise<ApiKeyRecord[]> {
    const ids = await this.redis.zrange(this.keys.apiKeyIndex(), '0', String(limit - 1));
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(this.keys.apiKey(id));
    const replies = (await pipeline.exec()) ?? [];
    return replies.flatMap(([error, fields]) => {
      if (error) throw error;
      const record = fields as Record<string, string>;
      return record.id === undefined ? [] : [toRecord(record)];
    });
  }

  /** Takes effect on the next request of every API process: they read the record on every request. */
  async revoke(id: string, now = new Date()): Promise<RevokeOutcome> {
    const [status, revokedAt] = await this.redis.smartcacheRevokeApiKey(
      this.keys.apiKey(id),
      now.toISOString(),
    );
    if (status === 'unknown' || revokedAt === null) return { status: 'unknown' };
    return { status: status === 'revoked' ? 'revoked' : 'already-revoked', revokedAt };
  }
}

function toRecord(fields: Record<string, string>): ApiKeyRecord {
  const optionalNumber = (value: string | undefined) => (value === undefined ? null : Number(value));
  return {
    id: fields.id,
    name: fields.name ?? '',
    rpm: optionalNumber(fields.rpm),
    dailyJobs: optionalNumber(fields.daily_jobs),
    cache: fields.cache === 'private' ? 'private' : 'shared',
    createdAt: fields.created_at ?? '',
    revokedAt: fields.revoked_at ?? null,
  };
}
