import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ConfigModule } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import type { IncomingMessage } from 'node:http';
import { AccessModule } from './access/access.module';
import { AnalyticsModule } from './analytics/analytics.module';
import type { Environment } from './core/config/environment';
import { AllExceptionsFilter } from './core/http/all-exceptions.filter';
import { QueueModule } from './core/queue/queue.module';
import { RedisModule } from './core/redis/redis.module';
import { HealthModule } from './health/health.module';
import { StatusModule } from './status/status.module';
import { SubmitModule } from './submit/submit.module';
import { WorkerModule } from './worker/worker.module';

/** The API and worker modules this process runs, by PROCESS_ROLE. */
@Module({})
export class AppModule {
  static register(env: Environment): DynamicModule {
    const serveApi = env.PROCESS_ROLE !== 'worker';
    const runWorkers = env.PROCESS_ROLE !== 'api';
    return {
      module: AppModule,
      imports: [
        // Validated once by loadEnvironment(); ConfigService serves exactly these typed values. Loaded as a config
        // object rather than through `validate`, which would copy them into process.env for every later app to see.
        ConfigModule.forRoot({
          isGlobal: true,
          cache: true,
          ignoreEnvFile: true,
          validatePredefined: false,
          skipProcessEnv: true,
          load: [() => ({ ...env })],
        }),
        LoggerModule.forRoot({
          // nestjs-pino as Nest's logger only, without its per-request middleware: that middleware keeps the request
          // logger in an AsyncLocalStorage, which on Node 20 puts a hook on every promise the process creates and cost
          // 11 % of the cache-hit path's throughput (docs/performance.md). Lines about a request carry its id
          // explicitly (Fastify's request.id, see createFastifyAdapter); the access line of failed requests is written by
          // configureHttpApp().
          forRoutes: [],
          pinoHttp: {
            level: env.LOG_LEVEL,
            serializers: {
              req: (req: IncomingMessage) => ({ method: req.method, url: req.url }),
              res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
            },
          },
        }),
        RedisModule,
        QueueModule,
        ...(serveApi ? [AccessModule, SubmitModule, StatusModule, AnalyticsModule, HealthModule] : []),
        ...(runWorkers ? [WorkerModule] : []),
      ],
      providers: serveApi ? [{ provide: APP_FILTER, useClass: AllExceptionsFilter }] : [],
    };
  }
}
