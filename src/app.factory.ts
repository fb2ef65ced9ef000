import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { AppModule } from './app.module';
import type { Environment } from './core/config/environment';
import { parseTrustProxy } from './core/http/trust-proxy';
import { submitOpenApiOperation } from './submit/submit.schema';

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
    {
      ...HTTP_APP_OPTIONS,
      abortOnError: false,
    },
  );
  configureHttpApp(app);
  return app;
}

export function isHttpApp(
  app: NestFastifyApplication | INestApplicationContext,
): app is NestFastifyApplication {
  return 'getHttpAdapter' in app;
}

/**
 * Options of every HTTP app (main.ts and the tests). `bodyParser: false` leaves JSON bodies to Fastify's own parser;
 * Nest's replacement wraps that same parser (to offer `rawBody`, unused here) at a cost on every request.
 */
export const HTTP_APP_OPTIONS = { bufferLogs: true, bodyParser: false } as const;

/** What every HTTP app gets, whoever built its module (main.ts, or a test that overrides a provider). */
export function configureHttpApp(app: NestFastifyApplication): void {
  const logger = app.get(Logger);
  app.useLogger(logger);
  // The access-log line of failed requests, in pino-http's shape: request id, method, URL, status, response time.
  // Successful requests get none: on the cache-hit path writing it cost more than the request itself.
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onResponse', (request, reply, done) => {
      // By route, not URL: a query string must not turn /health's 503s into access lines.
      if (reply.statusCode >= 300 && request.routeOptions.url !== '/health') {
        // The raw objects: the logger's serializers (app.module.ts) reduce them to method, URL and status.
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
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('SmartCache AI')
      .setDescription('Submit text or a URL; get a cached summary at once or a job id to poll.')
      .setVersion('1.0')
      .build(),
  );
  // The native Fastify route Swagger's controller scan cannot see (submit.route.ts), from its own schemas.
  document.paths['/api/submit'] = { post: submitOpenApiOperation };
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}

const REQUEST_ID_HEADER = 'x-request-id';

/** The caller's `x-request-id` when it is a sane string, else a fresh UUID. */
export function requestIdOf(req: IncomingMessage): string {
  const header = req.headers[REQUEST_ID_HEADER];
  return typeof header === 'string' && header.length <= 128 ? header : randomUUID();
}

export function createFastifyAdapter(env: Environment): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: env.MAX_INPUT_BYTES,
    // Whose X-Forwarded-For to believe for request.ip (per-IP rate limits, docs/access.md).
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    // Every request's id (request.id, logged as request_id): the caller's x-request-id or a fresh UUID.
    requestIdHeader: false,
    genReqId: requestIdOf,
    // Only native routes declare JSON schemas (submit.route.ts). Ajv as a validator, never a fixer: no type coercion
    // (42 is not "42"), no silent removal of unknown fields, and every problem reported, not just the first.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: true } },
    // No Nest middleware is registered (nestjs-pino runs without its middleware, app.module.ts), so no @fastify/middie
    // hook on every request.
    skipMiddie: true,
  });
}
