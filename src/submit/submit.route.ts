import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { SubmitAccessHook } from '../access/submit-access.hook';
import { AnalyticsHook } from '../analytics/analytics.hook';
import { OpenApiRegistry } from '../core/http/openapi';
import {
  isFinalAnswer,
  SUBMIT_BATCH_ROUTE_SCHEMA,
  SUBMIT_OPENAPI_SCHEMAS,
  SUBMIT_ROUTE_SCHEMA,
  submitBatchOpenApiOperation,
  submitBatchValidationError,
  submitOpenApiOperation,
  submitValidationError,
  type SubmitBatchRequest,
  type SubmitRequest,
} from './submit.schema';
import { SubmitService } from './submit.service';

/**
 * `POST /api/submit`, the hot path, as a native Fastify route: Fastify validates the body against a compiled JSON
 * schema, the handler calls SubmitService, the AnalyticsHook counts the answer and a compiled serializer writes it.
 *
 * Not a Nest controller on purpose: measured on Node 20 (commit a40f9ef, docs/performance.md) against plain Fastify +
 * ioredis on the cache-hit path, Nest's per-request pipeline (routing and the execution context, an interceptor,
 * ValidationPipe with class-validator) cost more than the work itself. The benchmark's `route` section
 * (`BENCH_ONLY=hit,route`) measures a Nest controller with the same compiled schemas against this route on the Node
 * in use, for when that balance changes. Everything else about the route stays Nest's: its collaborators come from
 * the DI container, its errors (Redis down → 503, bad input → 400) go through the app's exception filters via the
 * error handler Nest installs on Fastify, and it is documented in /docs-json from the same schemas.
 */
@Injectable()
export class SubmitRoute implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly submitService: SubmitService,
    private readonly analyticsHook: AnalyticsHook,
    private readonly accessHook: SubmitAccessHook,
    docs: OpenApiRegistry,
  ) {
    // At construction: the OpenAPI document is assembled before the app initializes (configureHttpApp).
    docs.addSchemas(SUBMIT_OPENAPI_SCHEMAS);
    docs.addOperation('/api/submit', 'post', submitOpenApiOperation);
    docs.addOperation('/api/submit/batch', 'post', submitBatchOpenApiOperation);
  }

  /** Runs after Nest has registered its routes and error handler, before the server starts listening. */
  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    // API keys and rate limits (src/access): no hooks at all when neither is on, so the open hit path is unchanged.
    const access = this.accessHook.hooks;
    fastify.route<{ Body: SubmitRequest }>({
      method: 'POST',
      url: '/api/submit',
      schema: SUBMIT_ROUTE_SCHEMA,
      schemaErrorFormatter: submitValidationError,
      ...(access && { onRequest: access.onRequest }),
      preSerialization: access
        ? [this.analyticsHook.preSerialization, access.preSerialization]
        : this.analyticsHook.preSerialization,
      handler: async (request, reply) => {
        // First: the access check then joins this request's cache read in one Redis round trip.
        const checked = this.accessHook.begin(request);
        const { input, wait, callback_url: callbackUrl } = request.body;
        const common = { requestId: request.id, callbackUrl, access: checked };
        const response = wait
          ? await this.submitService.submit(input, {
              ...common,
              waitMs: wait * 1_000,
              signal: clientGone(reply),
            })
          : await this.submitService.submit(input, common);
        void reply.code(isFinalAnswer(response) ? 200 : 202);
        return response;
      },
    });
    fastify.route<{ Body: SubmitBatchRequest }>({
      method: 'POST',
      url: '/api/submit/batch',
      schema: SUBMIT_BATCH_ROUTE_SCHEMA,
      schemaErrorFormatter: submitBatchValidationError,
      ...(access && { onRequest: access.onRequest }),
      preSerialization: access
        ? [this.analyticsHook.preSerializationBatch, access.preSerialization]
        : this.analyticsHook.preSerializationBatch,
      handler: async (request) => {
        const checked = this.accessHook.begin(request);
        return {
          results: await this.submitService.submitBatch(request.body.inputs, {
            requestId: request.id,
            callbackUrl: request.body.callback_url,
            access: checked,
          }),
        };
      },
    });
  }
}

/**
 * Aborts when the client goes away before the answer (a waiting submission stops waiting). The response's `close`
 * before it was written is that moment; the request's own `close` is not (it fires once the body has been read).
 */
function clientGone(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return controller.signal;
}
