import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Redis } from 'ioredis';
import type { Environment } from '../config/environment';
import { REQUEST_PATH_REDIS_OPTIONS } from './redis-connection';
import { REDIS_CLIENT } from './redis.constants';
import { RedisKeys } from './redis-keys';

/** The one ioredis client of the cache and analytics repositories (BullMQ makes its own), closed on shutdown. */
@Global()
@Module({
  providers: [
    {
      provide: REDIS_CLIENT,
      inject: [ConfigService],
      useFactory: (config: ConfigService<Environment, true>) => {
        const client = new Redis(config.get('REDIS_URL', { infer: true }), REQUEST_PATH_REDIS_OPTIONS);
        // Errors surface on the commands that hit them; the client reconnects by itself.
        client.on('error', () => undefined);
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
