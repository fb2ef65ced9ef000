import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  onRequestHookHandler,
  preHandlerHookHandler,
  preSerializationHookHandler,
} from 'fastify';
import type { AccessCheck } from './access-check.repository';
import { type AccessGrant, grantHeaders } from './access-grant';
import { AccessService } from './access.service';
import { RequestAccess } from './request-access';
import { UsageRepository, type UsageField } from './usage.repository';

const OUTCOME_FIELDS: Readonly<Record<string, UsageField>> = {
  hit: 'hits',
  miss: 'misses',
  deduplicated: 'deduplicated',
};

declare module 'fastify' {
  interface FastifyRequest {
    /** The submit route's access check: its credentials (onRequest), then the check under way (preHandler). */
    smartcacheAccess: AccessCheck | RequestAccess | null;
  }
}

/** The access hooks of a native route, all three or none. */
export interface RouteAccessHooks {
  readonly onRequest: onRequestHookHandler;
  readonly preHandler: preHandlerHookHandler;
  readonly preSerialization: preSerializationHookHandler<unknown>;
}

/**
 * Access control of `POST /api/submit` and `POST /api/submit/batch`, native Fastify routes (submit.route.ts), as Fastify hooks:
 *
 * - onRequest: credentials are checked for form before the body is read; a missing or malformed key is a 401 at once.
 * - preHandler: the key and rate check starts (not awaited) right before the handler, so it joins the handler's cache
 *   read in one Redis round trip; the handler awaits both (RequestAccess.lookup).
 * - preSerialization: a successful answer gets the RateLimit fields, and the key's usage counts its outcome.
 *
 * None of them is installed when nothing is checked (`hooks` is null), so the open hit path is unchanged.
 */
@Injectable()
export class SubmitAccessHook implements OnModuleInit {
  readonly hooks: RouteAccessHooks | null;

  constructor(
    private readonly access: AccessService,
    private readonly usage: UsageRepository,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    this.hooks =
      access.mode === 'open'
        ? null
        : { onRequest: this.onRequest, preHandler: this.preHandler, preSerialization: this.preSerialization };
  }

  /**
   * A request property rather than a WeakMap: measured on the hit path, a WeakMap entry per request cost the garbage
   * collector more than the rest of the hooks.
   */
  onModuleInit(): void {
    if (this.hooks === null) return;
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    if (!fastify.hasRequestDecorator('smartcacheAccess')) fastify.decorateRequest('smartcacheAccess', null);
  }

  /** The request's access check, under way (RequestAccess.OPEN when nothing is checked). */
  of(request: FastifyRequest): RequestAccess {
    const access = request.smartcacheAccess;
    return access instanceof RequestAccess ? access : RequestAccess.OPEN;
  }

  /** Counts submissions' outcomes (hit, miss, deduplicated) in the key's usage; the WebSocket's submits too. */
  countOutcomes(grant: AccessGrant, outcomes: readonly unknown[]): void {
    if (grant.client.kind !== 'key') return;
    for (const outcome of outcomes) {
      const field = typeof outcome === 'string' ? OUTCOME_FIELDS[outcome] : undefined;
      if (field) this.usage.record(grant.client.id, field);
    }
  }

  private readonly onRequest: onRequestHookHandler = (request, _reply, done) => {
    let check: AccessCheck | null;
    try {
      check = this.access.identify(request);
    } catch (error) {
      done(error as Error);
      return;
    }
    request.smartcacheAccess = check;
    done();
  };

  private readonly preHandler: preHandlerHookHandler = (request, _reply, done) => {
    const check = request.smartcacheAccess;
    request.smartcacheAccess = this.access.begin(check instanceof RequestAccess ? null : check);
    done();
  };

  private readonly preSerialization: preSerializationHookHandler<unknown> = (
    request: FastifyRequest,
    reply: FastifyReply,
    payload: unknown,
    done,
  ) => {
    const grant = this.of(request).grant;
    if (grant) {
      // A single submit's answer, or a batch's: each item's outcome counts for the key. A batch is answered (200)
      // even when the daily quota refused all its items, and says where the key stands; an error keeps its own.
      const body = payload as { cache?: unknown; results?: ReadonlyArray<{ cache?: unknown }> } | null;
      const outcomes = body?.results ? body.results.map((item) => item.cache) : [body?.cache];
      if (body?.results || typeof body?.cache === 'string') void reply.headers(grantHeaders(grant));
      this.countOutcomes(grant, outcomes);
    }
    done(null, payload);
  };
}
