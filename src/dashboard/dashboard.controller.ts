import {
  Controller,
  Get,
  Header,
  type OnModuleInit,
  Res,
  ServiceUnavailableException,
  UseGuards,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AdminGuard } from '../admin/admin.guard';
import { DashboardEventsService } from './dashboard-events.service';

/**
 * The page allows nothing from other origins (it must work offline, and this makes the browser hold it to that):
 * its own inline style and script, and the event stream from this origin.
 */
const DASHBOARD_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'; " +
  "img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * `GET /dashboard`, the live analytics page, and `GET /dashboard/events`, its feed. With `ADMIN_TOKEN` set both need
 * the token (AdminGuard); without it they are open, as `/api/analytics` is (closed with API keys on).
 */
@ApiExcludeController()
@UseGuards(AdminGuard)
@Controller('dashboard')
export class DashboardController implements OnModuleInit {
  private page: Buffer | undefined;

  constructor(private readonly events: DashboardEventsService) {}

  /**
   * Read once: `dashboard.html` sits beside this file (copied to dist by the Nest CLI, nest-cli.json `assets`), a real
   * HTML file that editors and Prettier understand, rather than a string inside TypeScript.
   */
  async onModuleInit(): Promise<void> {
    this.page = await readFile(join(__dirname, 'dashboard.html'));
  }

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'no-store')
  @Header('content-security-policy', DASHBOARD_CSP)
  @Header('x-content-type-options', 'nosniff')
  dashboard(): Buffer | undefined {
    return this.page;
  }

  @Get('events')
  stream(@Res() reply: FastifyReply): void {
    if (!this.events.acceptsStreams) {
      void reply.header('retry-after', '5');
      throw new ServiceUnavailableException(
        'Too many open dashboard streams, or shutting down; retry shortly',
      );
    }
    // The stream is written on the raw response for as long as the client stays; Fastify must not send a reply.
    reply.hijack();
    this.events.open(reply.raw);
  }
}
