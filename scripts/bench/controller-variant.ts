/**
 * The route design the service did not pick, kept runnable for the benchmark (issue 11, "the interceptor,
 * re-measured"): `POST /api/submit` as a Nest controller that hands Fastify the same compiled schemas
 * (`@RouteSchema`, no ValidationPipe) with an AnalyticsInterceptor counting in memory, in the built service's own
 * application (role api), next to its native route. The hit section measures both in one process.
 *
 * Runs through tsx, which does not emit decorator metadata: every injection names its token.
 */
import 'reflect-metadata';
import { createRequire } from 'node:module';
import path from 'node:path';
import {
  type CallHandler,
  Controller,
  type ExecutionContext,
  Inject,
  Injectable,
  Module,
  type NestInterceptor,
  Post,
  Req,
  Res,
  UseInterceptors,
} from '@nestjs/common';
import { RouteSchema } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';
import { tap } from 'rxjs';
import { ROOT } from './common';

const load = createRequire(__filename);
const dist = (file: string) => path.join(ROOT, 'dist', file);
const { AppModule } = load(dist('app.module.js')) as typeof import('../../src/app.module');
const { createFastifyAdapter, configureHttpApp, HTTP_APP_OPTIONS } = load(
  dist('app.factory.js'),
) as typeof import('../../src/app.factory');
const { loadEnvironment } = load(
  dist('core/config/load-environment.js'),
) as typeof import('../../src/core/config/load-environment');
const { SubmitService } = load(
  dist('submit/submit.service.js'),
) as typeof import('../../src/submit/submit.service');
const { SubmitModule } = load(
  dist('submit/submit.module.js'),
) as typeof import('../../src/submit/submit.module');
const { AnalyticsModule } = load(
  dist('analytics/analytics.module.js'),
) as typeof import('../../src/analytics/analytics.module');
const { AnalyticsRepository } = load(
  dist('analytics/analytics.repository.js'),
) as typeof import('../../src/analytics/analytics.repository');
const { ANALYTICS_FACTS } = load(
  dist('analytics/analytics.hook.js'),
) as typeof import('../../src/analytics/analytics.hook');
const { SUBMIT_ROUTE_SCHEMA } = load(
  dist('submit/submit.schema.js'),
) as typeof import('../../src/submit/submit.schema');
const { NestFactory } = load('@nestjs/core') as typeof import('@nestjs/core');

type Submit = import('../../src/submit/submit.service').SubmitService;
type Analytics = import('../../src/analytics/analytics.repository').AnalyticsRepository;

/** Counts every answered submission as the AnalyticsHook does, in memory (batched writes), as a Nest interceptor. */
@Injectable()
class AnalyticsInterceptor implements NestInterceptor {
  constructor(@Inject(AnalyticsRepository) private readonly analytics: Analytics) {}

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      tap(
        (response: { cache?: 'hit' | 'miss' | 'deduplicated'; job_id?: string; [key: symbol]: unknown }) => {
          if (!response.cache) return;
          const facts = response[ANALYTICS_FACTS] as { tokensSaved?: number } | undefined;
          this.analytics.recordRequest(response.cache, {
            tokensSaved: facts?.tokensSaved,
            jobId: response.job_id,
          });
        },
      ),
    );
  }
}

@Controller('api')
class SubmitControllerVariant {
  constructor(@Inject(SubmitService) private readonly submitService: Submit) {}

  @Post('submit-controller')
  @RouteSchema(SUBMIT_ROUTE_SCHEMA)
  @UseInterceptors(AnalyticsInterceptor)
  async submit(
    @Req() request: FastifyRequest<{ Body: { input: string } }>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const response = await this.submitService.submit(request.body.input, { requestId: request.id });
    void reply.code(response.cache === 'hit' ? 200 : 202);
    return response;
  }
}

@Module({
  imports: [SubmitModule, AnalyticsModule.forApi()],
  controllers: [SubmitControllerVariant],
  providers: [AnalyticsInterceptor],
})
class ControllerVariantModule {}

async function main(): Promise<void> {
  const env = loadEnvironment();
  @Module({ imports: [AppModule.register(env), ControllerVariantModule] })
  class VariantAppModule {}
  const app = await NestFactory.create<import('@nestjs/platform-fastify').NestFastifyApplication>(
    VariantAppModule,
    createFastifyAdapter(env),
    HTTP_APP_OPTIONS,
  );
  configureHttpApp(app);
  await app.listen(env.PORT, env.HOST);
  process.send?.({ type: 'ready', port: env.PORT });
  process.once('SIGTERM', () => void app.close().finally(() => process.exit(0)));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
// Never outlive the benchmark that started this process.
process.once('disconnect', () => process.exit(0));
