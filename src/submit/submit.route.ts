import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { AnalyticsHook } from '../analytics/analytics.hook';
import { OpenApiRegistry } from '../core/http/openapi';
import {
  SUBMIT_OPENAPI_SCHEMAS,
  SUBMIT_ROUTE_SCHEMA,
  submitOpenApiOperation,
  submitValidationError,
  type SubmitRequest,
} from './submit.schema';
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
    docs: OpenApiRegistry,
  ) {
    // At construction: the OpenAPI document is assembled before the app initializes (configureHttpApp).
    docs.addSchemas(SUBMIT_OPENAPI_SCHEMAS);
    docs.addOperation('/api/submit', 'post', submitOpenApiOperation);
  }

  /** Runs after Nest has registered its routes and error handler, before the server starts listening. */
  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.route<{ Body: SubmitRequest }>({
      method: 'POST',
      url: '/api/submit',
      schema: SUBMIT_ROUTE_SCHEMA,
      schemaErrorFormatter: submitValidationError,
      preSerialization: this.analyticsHook.preSerialization,
      handler: async (request, reply) => {
        const response = await this.submitService.submit(request.body.input, request.id, {
          callbackUrl: request.body.callback_url,
        });
        void reply.code(response.cache === 'hit' ? 200 : 202);
        return response;
      },
    });
  }
}
