import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { IncomingHttpHeaders } from 'node:http';
import type { Environment } from '../core/config/environment';
import { AccessCheckRepository, type AccessCheck, type AccessCheckResult } from './access-check.repository';
import { type AccessGrant, grantHeaders } from './access-grant';
import { QuotaExceededException, unauthorized } from './access-problems';
import { type CacheScope, privateScope, SHARED_SCOPE } from '../jobs/cache-scope';
import { apiKeyFromHeaders } from './credentials';
import { toSeconds } from './rate-limit-headers';
import { RequestAccess } from './request-access';
import { UsageRepository } from './usage.repository';

/** What identifies a caller: its headers (an API key) and address (per-IP limits). A FastifyRequest is one. */
export interface CallerRequest {
  readonly headers: IncomingHttpHeaders;
  readonly ip: string;
}

/** What the API checks: nothing (the default), each client IP's request rate, or API keys with their limits. */
export type AccessMode = 'open' | 'ip' | 'key';

/** How many keys' cache scopes are remembered as read hints (a few dozen bytes each); forgotten all at once past it. */
const REMEMBERED_SCOPES = 10_000;

/**
 * Who may use the API and how much: API keys (API_KEYS_REQUIRED), per-client request rates (a key's `--rpm`, else
 * RATE_LIMIT_RPM; per IP when keys are off) and the key's daily job quota, all decided in Redis by one script per
 * event-loop turn (AccessCheckRepository). Used by the submit route's hooks (SubmitAccessHook) and by the guard of the
 * Nest controllers (ApiAccessGuard).
 */
@Injectable()
export class AccessService {
  readonly mode: AccessMode;
  /**
   * A key's cache scope, remembered only as a hint of which cache entry to read alongside the check: a key's scope is
   * fixed when it is made (ids derive from the secret, so an id never names another key). Nothing that decides access
   * (existence, revocation, limits) is kept here; every request reads it in Redis.
   */
  private readonly knownScopes = new Map<string, CacheScope>();

  constructor(
    config: ConfigService<Environment, true>,
    private readonly checks: AccessCheckRepository,
    private readonly usage: UsageRepository,
  ) {
    if (config.get('API_KEYS_REQUIRED', { infer: true })) this.mode = 'key';
    else this.mode = config.get('RATE_LIMIT_RPM', { infer: true }) > 0 ? 'ip' : 'open';
  }

  /**
   * What to check for a request, from its headers or address, without Redis: refuses missing, malformed and over-long
   * credentials with a 401 at once. Null when nothing is checked.
   */
  identify(request: CallerRequest): AccessCheck | null {
    if (this.mode === 'open') return null;
    if (this.mode === 'ip') return { kind: 'ip', address: request.ip };
    const { id, secretSha256 } = apiKeyFromHeaders(request.headers);
    return { kind: 'key', id, secretSha256 };
  }

  /**
   * Starts the check; it is sent with the other Redis reads of this event-loop turn. The RequestAccess settles with
   * the grant, or with a 401 (unknown or revoked key), 429 (over the rate) or a Redis error (503).
   */
  begin(check: AccessCheck | null): RequestAccess {
    if (check === null) return RequestAccess.OPEN;
    const outcome = this.checks.check(check).then(
      (result) => this.decide(check, result),
      (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
    );
    if (check.kind === 'ip') return new RequestAccess([SHARED_SCOPE], outcome);
    const known = this.knownScopes.get(check.id);
    return new RequestAccess(known ? [known] : [SHARED_SCOPE, privateScope(check.id)], outcome);
  }

  /** identify + begin, awaited: for guards, which have nothing to batch the check with. */
  async authorize(request: CallerRequest): Promise<AccessGrant> {
    return this.begin(this.identify(request)).decision();
  }

  /** The grant, or the problem to answer with. */
  private decide(check: AccessCheck, result: AccessCheckResult): AccessGrant | Error {
    if (result.status === 'unknown') return unauthorized('Unknown API key.');
    if (result.status === 'revoked') return unauthorized('This API key has been revoked.');
    const { rate } = result;
    const grant: AccessGrant = {
      client: check.kind === 'key' ? { kind: 'key', id: check.id } : { kind: 'ip', address: check.address },
      scope: check.kind === 'key' && result.cache === 'private' ? privateScope(check.id) : SHARED_SCOPE,
      rate: rate && { limit: rate.limit, remaining: rate.remaining, resetSeconds: toSeconds(rate.resetMs) },
      dailyJobs:
        check.kind === 'key' ? { limit: result.dailyJobLimit, used: null, resetSeconds: null } : null,
    };
    if (check.kind === 'key') {
      if (!this.knownScopes.has(check.id)) {
        if (this.knownScopes.size >= REMEMBERED_SCOPES) this.knownScopes.clear();
        this.knownScopes.set(check.id, grant.scope);
      }
      this.usage.record(check.id, 'requests');
      if (result.status === 'limited') this.usage.record(check.id, 'rate_limited');
    }
    if (result.status !== 'limited' || !rate) return grant;
    const retrySeconds = Math.max(1, toSeconds(rate.retryMs));
    // On a 429 the window's t is the retry time: no request passes before it (the draft's Retry-After rule, 6).
    const refused: AccessGrant = {
      ...grant,
      rate: { limit: rate.limit, remaining: 0, resetSeconds: retrySeconds },
    };
    return new QuotaExceededException(
      `Too many requests: ${rate.limit} per minute for this ${check.kind === 'key' ? 'API key' : 'client address'}. ` +
        `Retry after ${retrySeconds} s.`,
      ['minute'],
      retrySeconds,
      grantHeaders(refused),
    );
  }
}
