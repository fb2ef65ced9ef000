import {
  type DynamicModule,
  Global,
  Module,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Redis, type RedisOptions } from 'ioredis';
import type { Environment } from '../config/environment';
import {
  REDIS_STARTUP_DEADLINE_MS,
  REQUEST_PATH_REDIS_OPTIONS,
  WORKER_REDIS_OPTIONS,
  withRedisDeadline,
} from './redis-connection';
import { REQUEST_REDIS, WORKER_REDIS } from './redis.constants';
import { RedisKeys } from './redis-keys';

type Config = ConfigService<Environment, true>;

/** Which clients a process needs: the request path's when it serves the API, the workers' when it runs workers. */
export interface RedisRoles {
  readonly requestPath: boolean;
  readonly workers: boolean;
}

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

const clientProvider = (token: symbol, options: RedisOptions): Provider => ({
  provide: token,
  inject: [ConfigService],
  useFactory: (config: Config) => connectedClient(config, options),
});

/** Closes the clients a process opened, on shutdown. */
class RedisClients implements OnApplicationShutdown {
  constructor(private readonly clients: readonly Redis[]) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.clients.map((client) => client.quit().catch(() => client.disconnect())));
  }
}

/**
 * The ioredis clients of the repositories (BullMQ makes its own), one per role this process has (see the tokens for
 * why they differ), and the key builder. Repositories say which client they use where they are provided
 * (`CacheModule.forWorker()`, …), so a process opens only the clients its roles use. The clients close on shutdown,
 * after the workers have finished (they close in beforeApplicationShutdown).
 */
@Global()
@Module({})
export class RedisModule {
  static forRoles(roles: RedisRoles): DynamicModule {
    const tokens = [...(roles.requestPath ? [REQUEST_REDIS] : []), ...(roles.workers ? [WORKER_REDIS] : [])];
    return {
      module: RedisModule,
      providers: [
        ...(roles.requestPath ? [clientProvider(REQUEST_REDIS, REQUEST_PATH_REDIS_OPTIONS)] : []),
        ...(roles.workers ? [clientProvider(WORKER_REDIS, WORKER_REDIS_OPTIONS)] : []),
        {
          provide: RedisKeys,
          inject: [ConfigService],
          useFactory: (config: Config) => new RedisKeys(config.get('REDIS_KEY_PREFIX', { infer: true })),
        },
        {
          provide: RedisClients,
          inject: tokens,
          useFactory: (...clients: Redis[]) => new RedisClients(clients),
        },
      ],
      exports: [...tokens, RedisKeys],
    };
  }
}
