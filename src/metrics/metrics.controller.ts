import { Controller, Get, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AdminGuard } from '../admin/admin.guard';
import { MetricsRegistry } from './metrics.registry';

/**
 * `GET /metrics`, the Prometheus exposition of this process. Left out of the OpenAPI document: it is for Prometheus,
 * not API clients, and its format is Prometheus's. With `ADMIN_TOKEN` set it needs the token like the other operator
 * pages (a scrape config sends it: `authorization: {credentials: …}`); open otherwise.
 */
@ApiExcludeController()
@UseGuards(AdminGuard)
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsRegistry) {}

  @Get()
  async scrape(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const { contentType, body } = await this.metrics.scrape();
    void reply.header('content-type', contentType).header('cache-control', 'no-store');
    return body;
  }
}
