import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AdminAccessRule } from '../admin/admin-access-rule';
import { ADMIN_AUTH_CHALLENGE } from '../admin/admin-credentials';
import type { Environment } from '../core/config/environment';
import { PROBLEM_JSON, statusTitle } from '../core/http/problem-details';
import { MetricsRegistry } from './metrics.registry';

/**
 * `GET /metrics` of a worker-only process (`PROCESS_ROLE=worker`, which serves no API), on `METRICS_PORT` at `HOST`;
 * every other path is 404. The same access rule as the API's `/metrics` (AdminAccessRule, as AdminGuard applies it).
 *
 * A bare `node:http` server rather than a second Fastify: one path, one method, no body to parse, and nothing of the
 * API's stack (routes, filters, OpenAPI) belongs on it.
 */
@Injectable()
export class WorkerMetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WorkerMetricsServer.name);
  private readonly server: Server;
  private readonly port: number;
  private readonly host: string;
  private readonly access: AdminAccessRule;

  constructor(
    private readonly metrics: MetricsRegistry,
    config: ConfigService<Environment, true>,
  ) {
    this.port = config.get('METRICS_PORT', { infer: true });
    this.host = config.get('HOST', { infer: true });
    this.access = AdminAccessRule.fromConfig(config);
    this.server = createServer((request, response) => void this.answer(request, response));
  }

  async onApplicationBootstrap(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, this.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const { port } = this.server.address() as AddressInfo;
    this.logger.log({ metrics_port: port }, `metrics on http://${this.host}:${port}/metrics`);
  }

  /** After the worker has finished its jobs (their counts are in): stops listening and drops idle scrape connections. */
  async onApplicationShutdown(): Promise<void> {
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // Prometheus keeps its connection alive between scrapes; close() alone would wait for it.
    this.server.closeIdleConnections();
    await closed;
  }

  private async answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?', 1)[0];
    if (path !== '/metrics') return problem(response, 404, `Only /metrics is served on this port.`);
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return problem(response, 405, 'Use GET.', { allow: 'GET, HEAD' });
    }
    const refusal = this.access.refusal(request.headers.authorization);
    if (refusal !== undefined) {
      return problem(
        response,
        401,
        refusal.detail,
        refusal.challenge ? { 'www-authenticate': ADMIN_AUTH_CHALLENGE } : {},
      );
    }
    try {
      const { contentType, body } = await this.metrics.scrape();
      response.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
      response.end(request.method === 'HEAD' ? undefined : body);
    } catch (error) {
      this.logger.error({ err: error }, 'could not collect the metrics');
      problem(response, 500, 'Could not collect the metrics.');
    }
  }
}

function problem(
  response: ServerResponse,
  status: number,
  detail: string,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'content-type': PROBLEM_JSON, ...headers });
  response.end(JSON.stringify({ type: 'about:blank', title: statusTitle(status), status, detail }));
}
