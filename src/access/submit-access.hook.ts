import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  onRequestHookHandler,
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
    /** The submit route's access check: its credentials (onRequest), then the check under way (the handler's begin). */
    smartcacheAccess: AccessCheck | RequestAccess | null;
  }
}

/** The access hooks of a native route, both or none. */
export interface RouteAccessHooks {
  readonly onRequest: onRequestHookHandler;
  readonly preSerialization: preSerializationHookHandler<unknown>;
}

/**
 * Access control of `POST /api/submit` and `POST /api/submit/batch`, native Fastify routes (submit.route.ts), as Fastify hooks:
 *
 * - onRequest: credentials are checked for form before the body is read; a missing or malformed key is a 401 at once.
 * - the handler's first step, {@link begin}: the key and rate check starts (not awaited), so it joins the handler's
 *   cache read in one Redis round trip; the handler awaits both (RequestAccess.lookup). Not a preHandler hook: a hook
 *   costs Fastify a hook runner per request for what is one call at the top of the handler.
 * - preSerialization: a successful answer gets the RateLimit fields, and the key's usage counts its outcome.
 *
 * None of the hooks is installed when nothing is checked (`hooks` is null), so the open hit path is unchanged.
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
      access.mode === 'open' ? null : { onRequest: this.onRequest, preSerialization: this.preSerialization };
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

  /**
   * Starts the request's access check (the credentials its onRequest hook read), for the handler to await with its
   * cache read. RequestAccess.OPEN when nothing is checked. Called once, first thing in the handler.
   */
  begin(request: FastifyRequest): RequestAccess {
    const check = request.smartcacheAccess;
    // Without hooks the request property is not even declared: nothing is checked.
    if (check === null || check === undefined) return RequestAccess.OPEN;
    if (check instanceof RequestAccess) return check;
    const access = this.access.begin(check);
    request.smartcacheAccess = access;
    return access;
  }

  /** Counts submissions' outcomes (hit, miss, deduplicated) in the key's usage; the WebSocket's submits too. */
  countOutcomes(grant: AccessGrant, outcomes: readonly unknown[]): void {
    for (const outcome of outcomes) this.countOutcome(grant, outcome);
  }

  private countOutcome(grant: AccessGrant, outcome: unknown): void {
    if (grant.client.kind !== 'key') return;
    const field = typeof outcome === 'string' ? OUTCOME_FIELDS[outcome] : undefined;
    if (field) this.usage.record(grant.client.id, field);
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

  private readonly preSerialization: preSerializationHookHandler<unknown> = (
    request: FastifyRequest,
    reply: FastifyReply,
    payload: unknown,
    done,
  ) => {
    const access = request.smartcacheAccess;
    const grant = access instanceof RequestAccess ? access.grant : undefined;
    const body = payload as { cache?: unknown; results?: ReadonlyArray<{ cache?: unknown }> } | null;
    if (grant && body?.results) {
      // A batch's answer: each item's outcome counts for the key. It is answered (200) even when the daily quota
      // refused all its items, and says where the key stands.
      const outcomes = body.results.map((item) => item.cache);
      void reply.headers(grantHeaders(grant));
      this.countOutcomes(grant, outcomes);
    } else if (grant && typeof body?.cache === 'string') {
      // A single submit's answer (the hit path: no array per request).
      void reply.headers(grantHeaders(grant));
      this.countOutcome(grant, body.cache);
    }
    done(null, payload);
  };
}
