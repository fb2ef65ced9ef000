import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { buildOpenApiDocument } from './core/http/openapi';
import { AppLogger } from './core/logging/app-logger';
import { invalidRequest } from './core/http/problem-details';
import { answerRawSocket } from './core/http/raw-answer';
import { firstInvalidUtf8Offset } from './core/http/utf8';
import { AppModule } from './app.module';
import type { Environment } from './core/config/environment';
import { parseTrustProxy } from './core/http/trust-proxy';

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
    context.useLogger(new AppLogger(context.get(Logger)));
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
  app.useLogger(new AppLogger(logger));
  const fastify = app.getHttpAdapter().getInstance();
  // JSON only: any other media type is 415, instead of a text/plain body failing validation as "not a string".
  fastify.removeContentTypeParser(['text/plain', 'application/json']);
  // Fastify's JSON parser (prototype-poisoning checks included), after a UTF-8 check: decoding would silently turn
  // invalid bytes into U+FFFD, and two different bodies into one cache entry.
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body: Buffer, done) => {
    const offset = firstInvalidUtf8Offset(body);
    if (offset >= 0) {
      const byte = body[offset].toString(16).padStart(2, '0');
      done(invalidRequest([{ detail: `the body is not valid UTF-8: byte 0x${byte} at offset ${offset}` }]));
      return;
    }
    // The default parser's type says it returns a value; it answers through `done`.
    void parseJson(request, body.toString('utf8'), done);
  });
  // Every answer names its request, so a client can quote it (the logs carry the same id).
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  // CONNECT never reaches a route: without this Node closes the socket without a word.
  app
    .getHttpServer()
    .on('connect', (_request: IncomingMessage, socket: Duplex) =>
      answerRawSocket(socket, 405, 'CONNECT is not supported: this is not a proxy.', { allow: 'GET, POST' }),
    );
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
  SwaggerModule.setup('docs', app, buildOpenApiDocument(app), { jsonDocumentUrl: 'docs-json' });
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
    // Requests the HTTP parser refuses (an unknown method, a malformed request line, oversized headers) get a
    // problem answer too, not Fastify's own JSON shape.
    clientErrorHandler: (error: NodeJS.ErrnoException, socket: Duplex) => {
      const status =
        error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
      answerRawSocket(socket, status, 'The request could not be parsed as HTTP/1.1.');
    },
  });
}
