import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { SubmitAccessHook } from '../access/submit-access.hook';
import { AnalyticsHook } from '../analytics/analytics.hook';
import { SUBMIT_ROUTE_SCHEMA, submitValidationError, type SubmitRequest } from './submit.schema';
import { SubmitService } from './submit.service';

/**
 * `POST /api/submit`, the hot path, as a native Fastify route: Fastify validates the body against a compiled JSON
 * schema, the handler calls SubmitService, the AnalyticsHook counts the answer and a compiled serializer writes it.
 *
 * Not a Nest controller on purpose. Measured against plain Fastify + ioredis on the cache-hit path, Nest's
 * per-request pipeline cost more than the work itself: routing and the execution context 17 %, an interceptor 17 %,
 * ValidationPipe with class-validator 21 % of the baseline's throughput (docs/performance.md). Everything else about
 * the route stays Nest's: its collaborators come from the DI container, its errors (Redis down → 503, bad input →
 * 400) go through the app's exception filters via the error handler Nest installs on Fastify, and it is documented in
 * /docs-json from the same schemas.
 */
@Injectable()
export class SubmitRoute implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly submitService: SubmitService,
    private readonly analyticsHook: AnalyticsHook,
    private readonly accessHook: SubmitAccessHook,
  ) {}

  /** Runs after Nest has registered its routes and error handler, before the server starts listening. */
  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    // API keys and rate limits (src/access): none when neither is on.
    const access = this.accessHook.hooks;
    fastify.route<{ Body: SubmitRequest }>({
      method: 'POST',
      url: '/api/submit',
      schema: SUBMIT_ROUTE_SCHEMA,
      schemaErrorFormatter: submitValidationError,
      ...(access && { onRequest: access.onRequest, preHandler: access.preHandler }),
      preSerialization: access
        ? [this.analyticsHook.preSerialization, access.preSerialization]
        : this.analyticsHook.preSerialization,
      handler: async (request, reply) => {
        const response = await this.submitService.submit(
          request.body.input,
          request.id,
          this.accessHook.of(request),
        );
        void reply.code(response.cache === 'hit' ? 200 : 202);
        return response;
      },
    });
  }
}
