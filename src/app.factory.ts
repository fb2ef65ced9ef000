import { type INestApplicationContext, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule, requestIdOf } from './app.module';
import type { Environment } from './core/config/environment';

/**
 * Builds the application the way every entry point needs it (main.ts, tests, the benchmark): the HTTP API on
 * Fastify when the role serves it, or a bare application context for worker-only processes.
 */
export async function createApp(env: Environment): Promise<NestFastifyApplication | INestApplicationContext> {
  if (env.PROCESS_ROLE === 'worker') {
    const context = await NestFactory.createApplicationContext(AppModule.register(env), {
      bufferLogs: true,
      abortOnError: false,
    });
    context.useLogger(context.get(Logger));
    return context;
  }
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.register(env),
    createFastifyAdapter(env),
    { bufferLogs: true, abortOnError: false },
  );
  configureHttpApp(app);
  return app;
}

export function isHttpApp(
  app: NestFastifyApplication | INestApplicationContext,
): app is NestFastifyApplication {
  return 'getHttpAdapter' in app;
}

/** What every HTTP app gets, whoever built its module (main.ts, or a test that overrides a provider). */
export function configureHttpApp(app: NestFastifyApplication): void {
  const logger = app.get(Logger);
  app.useLogger(logger);
  // The access-log line of failed submissions (the route skips nestjs-pino's middleware, see app.module.ts), in
  // pino-http's shape: request id, method, URL, status, response time.
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onResponse', (request, reply, done) => {
      if (
        reply.statusCode >= 300 &&
        request.method === 'POST' &&
        request.routeOptions.url === '/api/submit'
      ) {
        // The raw objects: the request logger's serializers reduce them to method, URL and status.
        logger.log(
          {
            request_id: request.id,
            req: request.raw,
            res: reply.raw,
            responseTime: Math.round(reply.elapsedTime),
          },
          reply.statusCode >= 500 ? 'request errored' : 'request completed',
          'HTTP',
        );
      }
      done();
    });
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      stopAtFirstError: false,
    }),
  );
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('SmartCache AI')
      .setDescription('Submit text or a URL; get a cached summary at once or a job id to poll.')
      .setVersion('1.0')
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}

export function createFastifyAdapter(env: Environment): FastifyAdapter {
  // Fastify's request id follows the same rule as the request logger's (app.module.ts), so the routes that skip
  // that logger still log the caller's x-request-id.
  return new FastifyAdapter({
    bodyLimit: env.MAX_INPUT_BYTES,
    requestIdHeader: false,
    genReqId: requestIdOf,
  });
}
