import { type DynamicModule, Module, RequestMethod } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ConfigModule } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { AnalyticsModule } from './analytics/analytics.module';
import type { Environment } from './core/config/environment';
import { AllExceptionsFilter } from './core/http/all-exceptions.filter';
import { QueueModule } from './core/queue/queue.module';
import { RedisModule } from './core/redis/redis.module';
import { HealthModule } from './health/health.module';
import { StatusModule } from './status/status.module';
import { SubmitModule } from './submit/submit.module';
import { WorkerModule } from './worker/worker.module';

const REQUEST_ID_HEADER = 'x-request-id';

/** The caller's `x-request-id` when it is a sane string, else a fresh UUID. */
export function requestIdOf(req: IncomingMessage): string {
  const header = req.headers[REQUEST_ID_HEADER];
  return typeof header === 'string' && header.length <= 128 ? header : randomUUID();
}

/**
 * Routes whose requests skip nestjs-pino's per-request middleware (a child logger, an AsyncLocalStorage context
 * and an access-log line): `POST /api/submit`, the hot path. Its request id comes from Fastify (same rule,
 * {@link requestIdOf}); SubmitService puts it in its own lines and configureHttpApp() logs its non-2xx answers.
 */
export const ROUTES_WITHOUT_REQUEST_CONTEXT = [{ path: 'api/submit', method: RequestMethod.POST }];

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
          // nestjs-pino's default route pattern does not match under Nest 12 on Fastify; this one does.
          forRoutes: [{ path: '*path', method: RequestMethod.ALL }],
          exclude: ROUTES_WITHOUT_REQUEST_CONTEXT,
          pinoHttp: {
            level: env.LOG_LEVEL,
            genReqId: requestIdOf,
            customAttributeKeys: { reqId: 'request_id' },
            autoLogging: { ignore: (req) => req.url === '/health' },
            // No access-log line for successful requests: on the cache-hit path writing it cost more than the
            // request itself (docs/performance.md). Failures keep theirs, with the request id; the request id is in
            // every line a request logs (e.g. "job queued") either way.
            customLogLevel: (_req, res, error) => (error || res.statusCode >= 300 ? 'info' : 'silent'),
            quietReqLogger: true,
            serializers: {
              req: (req: IncomingMessage) => ({ method: req.method, url: req.url }),
              res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
            },
          },
        }),
        RedisModule,
        QueueModule,
        ...(serveApi ? [SubmitModule, StatusModule, AnalyticsModule, HealthModule] : []),
        ...(runWorkers ? [WorkerModule] : []),
      ],
      providers: serveApi ? [{ provide: APP_FILTER, useClass: AllExceptionsFilter }] : [],
    };
  }
}
