import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Redis } from 'ioredis';
import type { Environment } from '../config/environment';
import { REDIS_STARTUP_DEADLINE_MS, REQUEST_PATH_REDIS_OPTIONS, withRedisDeadline } from './redis-connection';
import { REDIS_CLIENT } from './redis.constants';
import { RedisKeys } from './redis-keys';

/** The one ioredis client of the cache and analytics repositories (BullMQ makes its own), closed on shutdown. */
@Global()
@Module({
  providers: [
    {
      provide: REDIS_CLIENT,
      inject: [ConfigService],
      useFactory: async (config: ConfigService<Environment, true>) => {
        const client = new Redis(config.get('REDIS_URL', { infer: true }), {
          ...REQUEST_PATH_REDIS_OPTIONS,
          lazyConnect: true,
        });
        // Errors surface on the commands that hit them; the client reconnects by itself.
        client.on('error', () => undefined);
        // Connected before the first request: with the offline queue off, a request that came earlier would 503.
        await withRedisDeadline(client.connect(), REDIS_STARTUP_DEADLINE_MS).catch((error: unknown) => {
          client.disconnect();
          throw error;
        });
        return client;
      },
    },
    {
      provide: RedisKeys,
      inject: [ConfigService],
      useFactory: (config: ConfigService<Environment, true>) =>
        new RedisKeys(config.get('REDIS_KEY_PREFIX', { infer: true })),
    },
  ],
  exports: [REDIS_CLIENT, RedisKeys],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
