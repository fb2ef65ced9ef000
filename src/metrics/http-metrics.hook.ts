import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { MetricsRegistry } from './metrics.registry';

/** The `route` label of requests no route matched: one series for all of them, whatever the paths scanners try. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Times every HTTP request into `smartcache_http_request_duration_seconds`: a Fastify `onResponse` hook on the
 * instance under Nest, so native routes (submit), Nest controllers and plugins (the queue board) are all seen. The
 * duration is Fastify's own (`reply.elapsedTime`, from routing to the response's end), so timing costs nothing extra.
 * Labelled by route pattern (`/api/status/:job_id`), never by URL, to keep the series few.
 */
@Injectable()
export class HttpMetricsHook implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly metrics: MetricsRegistry,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onResponse', (request, reply, done) => {
      const route = request.is404 ? UNMATCHED_ROUTE : (request.routeOptions.url ?? UNMATCHED_ROUTE);
      this.metrics.observeHttpRequest(route, request.method, reply.statusCode, reply.elapsedTime / 1000);
      done();
    });
  }
}
