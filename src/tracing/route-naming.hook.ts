import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { context } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import type { FastifyInstance } from 'fastify';

/**
 * Gives the HTTP server span of each request its route (`http.route`, and the span name `POST /api/submit`), which
 * only Fastify knows: the HTTP instrumentation reads it from the request's RPC metadata when the response ends. The
 * route pattern, never the URL, so ids do not make every span name unique. Only in processes that trace.
 */
@Injectable()
export class RouteNamingHook implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onRequest', (request, _reply, done) => {
      const metadata = getRPCMetadata(context.active());
      const route = request.routeOptions.url;
      if (metadata?.type === RPCType.HTTP && route !== undefined && !request.is404) metadata.route = route;
      done();
    });
  }
}
