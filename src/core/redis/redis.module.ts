import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Redis, type RedisOptions } from 'ioredis';
import type { Environment } from '../config/environment';
import {
  REDIS_STARTUP_DEADLINE_MS,
  REQUEST_PATH_REDIS_OPTIONS,
  WORKER_REDIS_OPTIONS,
  withRedisDeadline,
} from './redis-connection';
import { REDIS_CLIENT, WORKER_REDIS_CLIENT } from './redis.constants';
import { RedisKeys } from './redis-keys';

type Config = ConfigService<Environment, true>;

/** Connects before the app serves: with the offline queue off, a request that came earlier would 503. */
async function connectedClient(config: Config, options: RedisOptions): Promise<Redis> {
  const client = new Redis(config.get('REDIS_URL', { infer: true }), { ...options, lazyConnect: true });
  // Errors surface on the commands that hit them; the client reconnects by itself.
  client.on('error', () => undefined);
  await withRedisDeadline(client.connect(), REDIS_STARTUP_DEADLINE_MS).catch((error: unknown) => {
    client.disconnect();
    throw error;
  });
  return client;
}

/**
 * The ioredis clients of the repositories (BullMQ makes its own): one for the request path, one for the workers
 * (see the tokens for why they differ), and the key builder. Both clients are closed on shutdown, after the workers
 * have finished (they close in beforeApplicationShutdown).
 */
@Global()
@Module({
  providers: [
    {
      provide: REDIS_CLIENT,
      inject: [ConfigService],
      useFactory: (config: Config) => connectedClient(config, REQUEST_PATH_REDIS_OPTIONS),
    },
    {
      provide: WORKER_REDIS_CLIENT,
      inject: [ConfigService],
      useFactory: (config: Config) => connectedClient(config, WORKER_REDIS_OPTIONS),
    },
    {
      provide: RedisKeys,
      inject: [ConfigService],
      useFactory: (config: Config) => new RedisKeys(config.get('REDIS_KEY_PREFIX', { infer: true })),
    },
  ],
  exports: [REDIS_CLIENT, WORKER_REDIS_CLIENT, RedisKeys],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(
    @Inject(REDIS_CLIENT) private readonly requestPathRedis: Redis,
    @Inject(WORKER_REDIS_CLIENT) private readonly workerRedis: Redis,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(
      [this.requestPathRedis, this.workerRedis].map((client) =>
        client.quit().catch(() => client.disconnect()),
      ),
    );
  }
}
