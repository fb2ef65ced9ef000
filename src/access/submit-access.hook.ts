import { Injectable } from '@nestjs/common';
import type {
  FastifyReply,
  FastifyRequest,
  onRequestHookHandler,
  preHandlerHookHandler,
  preSerializationHookHandler,
} from 'fastify';
import type { AccessCheck } from './access-check.repository';
import { AccessService } from './access.service';
import { RequestAccess } from './request-access';
import { UsageRepository, type UsageField } from './usage.repository';

const OUTCOME_FIELDS: Readonly<Record<string, UsageField>> = {
  hit: 'hits',
  miss: 'misses',
  deduplicated: 'deduplicated',
};

/** The access hooks of a native route, all three or none. */
export interface RouteAccessHooks {
  readonly onRequest: onRequestHookHandler;
  readonly preHandler: preHandlerHookHandler;
  readonly preSerialization: preSerializationHookHandler<unknown>;
}

/**
 * Access control of `POST /api/submit`, a native Fastify route (submit.route.ts), as Fastify hooks:
 *
 * - onRequest: credentials are checked for form before the body is read; a missing or malformed key is a 401 at once.
 * - preHandler: the key and rate check starts (not awaited) right before the handler, so it joins the handler's cache
 *   read in one Redis round trip; the handler awaits both (RequestAccess.lookup).
 * - preSerialization: a successful answer gets the RateLimit fields, and the key's usage counts its outcome.
 *
 * None of them is installed when nothing is checked (`hooks` is null), so the open hit path is unchanged.
 */
@Injectable()
export class SubmitAccessHook {
  private readonly checks = new WeakMap<FastifyRequest, AccessCheck>();
  private readonly accesses = new WeakMap<FastifyRequest, RequestAccess>();
  readonly hooks: RouteAccessHooks | null;

  constructor(
    private readonly access: AccessService,
    private readonly usage: UsageRepository,
  ) {
    this.hooks =
      access.mode === 'open'
        ? null
        : { onRequest: this.onRequest, preHandler: this.preHandler, preSerialization: this.preSerialization };
  }

  /** The request's access check, under way (RequestAccess.OPEN when nothing is checked). */
  of(request: FastifyRequest): RequestAccess {
    return this.accesses.get(request) ?? RequestAccess.OPEN;
  }

  private readonly onRequest: onRequestHookHandler = (request, _reply, done) => {
    let check: AccessCheck | null;
    try {
      check = this.access.identify(request);
    } catch (error) {
      done(error as Error);
      return;
    }
    if (check) this.checks.set(request, check);
    done();
  };

  private readonly preHandler: preHandlerHookHandler = (request, _reply, done) => {
    this.accesses.set(request, this.access.begin(this.checks.get(request) ?? null));
    done();
  };

  private readonly preSerialization: preSerializationHookHandler<unknown> = (
    request: FastifyRequest,
    reply: FastifyReply,
    payload: unknown,
    done,
  ) => {
    const grant = this.accesses.get(request)?.grant;
    const outcome = (payload as { cache?: unknown } | null)?.cache;
    if (grant && typeof outcome === 'string') {
      void reply.headers(grant.headers);
      const field = OUTCOME_FIELDS[outcome];
      if (field && grant.client.kind === 'key') this.usage.record(grant.client.id, field);
    }
    done(null, payload);
  };
}
