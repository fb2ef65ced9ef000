import { Redis } from 'ioredis';
import { ApiKeyRepository, type NewApiKey } from '../../src/access/api-key.repository';
import { RedisKeys } from '../../src/core/redis/redis-keys';
import { TEST_REDIS_URL } from './test-environment';

/** API keys of a test's key prefix, made and revoked as the CLI does (same repository). */
export class TestApiKeys {
  private readonly redis: Redis;
  readonly repository: ApiKeyRepository;

  constructor(prefix: string, redisUrl = TEST_REDIS_URL) {
    this.redis = new Redis(redisUrl);
    // Outage tests kill this Redis; the commands that hit that fail on their own.
    this.redis.on('error', () => undefined);
    this.repository = new ApiKeyRepository(this.redis, new RedisKeys(prefix));
  }

  /** A new key: its id and the headers that present it. */
  async create(
    input: Partial<NewApiKey> = {},
  ): Promise<{ id: string; secret: string; auth: Record<string, string> }> {
    const { record, secret } = await this.repository.create({ name: 'test', ...input });
    return { id: record.id, secret, auth: { authorization: `Bearer ${secret}` } };
  }

  async revoke(id: string): Promise<void> {
    await this.repository.revoke(id);
  }

  close(): void {
    this.redis.disconnect();
  }
}
