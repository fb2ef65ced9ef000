import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BullBoardFastifyAdapter } from '@bull-board/fastify';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { HttpAdapterHost } from '@nestjs/core';
import type { Queue } from 'bullmq';
import type { FastifyInstance, FastifyReply, FastifyRequest, onSendHookHandler } from 'fastify';
import { jobStartsPerSecond, type Environment } from '../core/config/environment';
import { summarizeLimiter } from '../jobs/summarize-limiter';
import { SummarizeJobRepository } from '../jobs/summarize-job.repository';
import { WebhookDeliveryProducer } from '../webhooks/webhook-delivery.producer';
import { adminAccessHook, sendAdminRefusal } from './admin-access.hook';
import { AdminAccessRule } from './admin-access-rule';

/** Where the queue board is served. */
export const QUEUE_BOARD_PATH = '/admin/queues';

/**
 * bull-board's page links one stylesheet from Google Fonts; the board must work offline, and its CSS falls back to
 * system fonts. Any stylesheet or script from another origin is dropped from its HTML.
 */
const EXTERNAL_ASSET =
  /<(?:link|script)\b[^>]*\b(?:href|src)=["']?(?:https?:)?\/\/[^>]*>(?:\s*<\/script>)?/gi;

/**
 * Defence in depth for "no CDN": the browser refuses anything from another origin even if a later bull-board adds
 * one. Inline styles are needed by its React components; its scripts are files of its own.
 */
const QUEUE_BOARD_CSP =
  "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
  "object-src 'none'; base-uri 'self'; frame-ancestors 'none'";

/**
 * The queue dashboard (bull-board) at `/admin/queues`, listing the summarize and webhooks queues: operators see jobs by
 * state and can retry, promote and remove them. Registered only when `ADMIN_TOKEN` is set, and then only for requests
 * that carry it; without `ADMIN_TOKEN` every request under the path is refused (401) and told how to turn it on.
 *
 * bull-board is a Fastify plugin, so it is registered on the Fastify instance under Nest (as the submit route is),
 * inside its own encapsulated scope so the access hook, the CSP and bull-board's own error handler apply to its
 * routes only. Its page, scripts and styles are served from `@bull-board/ui` in node_modules.
 */
@Injectable()
export class QueueBoardRoute implements OnModuleInit {
  private readonly logger = new Logger(QueueBoardRoute.name);

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly config: ConfigService<Environment, true>,
    private readonly jobs: SummarizeJobRepository,
    private readonly webhooks: WebhookDeliveryProducer,
  ) {}

  /** Runs before the server starts listening, while plugins can still be registered. */
  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const token = this.config.get('ADMIN_TOKEN', { infer: true });
    if (token === undefined) {
      void fastify.register(
        (scope, _options, done) => {
          scope.all('/', refuseWithoutToken);
          scope.all('/*', refuseWithoutToken);
          done();
        },
        { prefix: QUEUE_BOARD_PATH },
      );
      return;
    }
    const board = new BullBoardFastifyAdapter().setBasePath(QUEUE_BOARD_PATH);
    const { max } = summarizeLimiter(
      jobStartsPerSecond({
        AI_MAX_RPS: this.config.get('AI_MAX_RPS', { infer: true }),
        AI_BATCH_SIZE: this.config.get('AI_BATCH_SIZE', { infer: true }),
        AI_PROVIDER: this.config.get('AI_PROVIDER', { infer: true }),
        GEMINI_API_KEY: this.config.get('GEMINI_API_KEY', { infer: true }),
      }),
    );
    createBullBoard({
      queues: [
        new SummarizeQueueBoardAdapter(this.jobs.queueForTools(), max, {
          description: 'Summaries of submitted text and URLs',
        }),
        // Failed deliveries stay here for a week (why they failed, each attempt), and can be retried.
        new BullMQAdapter(this.webhooks.queueForTools(), { description: 'Webhook deliveries' }),
      ],
      serverAdapter: board,
      options: {
        uiConfig: {
          boardTitle: 'SmartCache queues',
          hideDocsLink: true,
          miscLinks: [{ text: 'Live analytics', url: '/dashboard' }],
        },
      },
    });
    void fastify.register(
      async (scope) => {
        scope.addHook('onRequest', adminAccessHook(AdminAccessRule.fromConfig(this.config)));
        scope.addHook('onSend', offlineOnly);
        // Its own 404 under the prefix, behind the access hook: without the token nothing under it answers but 401.
        scope.setNotFoundHandler((_request, reply) =>
          reply.code(404).type('application/problem+json').send({
            type: 'about:blank',
            title: 'Not Found',
            status: 404,
            detail: 'No such queue board page.',
          }),
        );
        await scope.register(board.registerPlugin());
      },
      { prefix: QUEUE_BOARD_PATH },
    );
    this.logger.log(`queue dashboard at ${QUEUE_BOARD_PATH} (ADMIN_TOKEN required)`);
  }
}

/**
 * bull-board asks BullMQ for the limiter key's TTL without the limit, so it shows "rate limited" whenever the key
 * exists, and the workers always configure a limiter (jobs/summarize-limiter.ts: AI_MAX_RPS, or an unreachable maximum
 * so that a 429's queue-wide pause is honoured): the badge would never go away. Asked with the workers' maximum, the
 * TTL is reported only while jobs are really held back: AI_MAX_RPS reached, or a pause after an AI 429 (which sets
 * the key to the largest safe integer).
 */
class SummarizeQueueBoardAdapter extends BullMQAdapter {
  constructor(
    private readonly summarizeQueue: Queue,
    private readonly limiterMax: number,
    options: { description: string },
  ) {
    super(summarizeQueue, options);
  }

  override async getActiveRateLimitTtl(): Promise<number> {
    return Math.max(0, await this.summarizeQueue.getRateLimitTtl(this.limiterMax));
  }
}

const offlineOnly: onSendHookHandler<unknown> = (_request, reply, payload, done) => {
  void reply.header('content-security-policy', QUEUE_BOARD_CSP);
  const type = reply.getHeader('content-type');
  if (typeof payload === 'string' && typeof type === 'string' && type.startsWith('text/html')) {
    done(null, payload.replace(EXTERNAL_ASSET, ''));
    return;
  }
  done(null, payload);
};

/** The queue board with no `ADMIN_TOKEN`: no credentials can open it (no Basic challenge, so browsers don't prompt). */
function refuseWithoutToken(_request: FastifyRequest, reply: FastifyReply): void {
  sendAdminRefusal(reply, {
    detail: 'The queue dashboard is off: set ADMIN_TOKEN to turn it on, then send it as a bearer token.',
    challenge: false,
  });
}
