import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ConfigModule } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import type { IncomingMessage } from 'node:http';
import { AccessModule } from './access/access.module';
import { AdminModule } from './admin/admin.module';
import { AnalyticsModule } from './analytics/analytics.module';
import type { Environment } from './core/config/environment';
import { OpenApiModule } from './core/http/openapi';
import { ProblemDetailsFilter } from './core/http/problem-details.filter';
import { RedisModule } from './core/redis/redis.module';
import { DashboardModule } from './dashboard/dashboard.module';
import { HealthModule } from './health/health.module';
import { JobsModule } from './jobs/jobs.module';
import { LiveModule } from './live/live.module';
import { MetricsModule } from './metrics/metrics.module';
import { PersistenceModule } from './persistence/persistence.module';
import { StatusModule } from './status/status.module';
import { SubmitModule } from './submit/submit.module';
import { tracingStarted } from './tracing/tracer';
import { TracingModule } from './tracing/tracing.module';
import { WorkerModule } from './worker/worker.module';

/** LOG_FORMAT, else pretty on a terminal and JSON otherwise. */
export function logFormat(env: Environment): 'json' | 'pretty' {
  return env.LOG_FORMAT ?? (process.stdout.isTTY ? 'pretty' : 'json');
}

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
          // logger in an AsyncLocalStorage, which on Node 20 put a hook on every promise the process creates and was
          // one of the larger costs of the cache-hit path (measured at commit a40f9ef, docs/performance.md; Node 24's
          // AsyncLocalStorage no longer uses promise hooks, not re-measured). Lines about a request carry its id
          // explicitly (Fastify's request.id, see createFastifyAdapter); the access line of failed requests is written by
          // configureHttpApp().
          forRoutes: [],
          pinoHttp: {
            level: env.LOG_LEVEL,
            // People read pretty lines (LOG_FORMAT=pretty, or a terminal); machines read one JSON object a line.
            ...(logFormat(env) === 'pretty'
              ? {
                  transport: {
                    target: 'pino-pretty',
                    options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l' },
                  },
                }
              : {}),
            serializers: {
              req: (req: IncomingMessage) => ({ method: req.method, url: req.url }),
              res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
            },
          },
        }),
        RedisModule.forRoles({ requestPath: serveApi, workers: runWorkers }),
        JobsModule,
        OpenApiModule,
        // Prometheus metrics (every process), and the route names of HTTP spans (API processes that trace).
        MetricsModule.register(env),
        ...(serveApi && tracingStarted() ? [TracingModule] : []),
        // Off by default: PostgreSQL only when DATABASE_URL is set (the rest of the app runs the same without it).
        ...(env.DATABASE_URL ? [PersistenceModule.register(env)] : []),
        ...(serveApi
          ? [
              AccessModule,
              SubmitModule,
              LiveModule,
              StatusModule,
              AnalyticsModule.forApi(),
              HealthModule,
              AdminModule,
              DashboardModule,
            ]
          : []),
        ...(runWorkers ? [WorkerModule.register(env)] : []),
      ],
      providers: serveApi ? [{ provide: APP_FILTER, useClass: ProblemDetailsFilter }] : [],
    };
  }
}
