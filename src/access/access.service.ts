import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import type { Environment } from '../core/config/environment';
import { AccessCheckRepository, type AccessCheck, type AccessCheckResult } from './access-check.repository';
import type { AccessGrant } from './access-grant';
import { quotaExceeded, unauthorized } from './access-problems';
import { type CacheScope, privateScope, SHARED_SCOPE } from './cache-scope';
import { Clock, msUntilNextUtcDay, utcDay } from './clock';
import { apiKeyFromHeaders } from './credentials';
import { rateLimitHeaders, toSeconds, type PolicyState } from './rate-limit-headers';
import { RequestAccess } from './request-access';
import { UsageRepository } from './usage.repository';

/** What the API checks: nothing (the default), each client IP's request rate, or API keys with their limits. */
export type AccessMode = 'open' | 'ip' | 'key';

/** How many keys' cache scopes are remembered as read hints (a few dozen bytes each). */
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
  private readonly knownScopes = new LRUCache<string, CacheScope>({ max: REMEMBERED_SCOPES });

  constructor(
    config: ConfigService<Environment, true>,
    private readonly checks: AccessCheckRepository,
    private readonly usage: UsageRepository,
    private readonly clock: Clock,
  ) {
    if (config.get('API_KEYS_REQUIRED', { infer: true })) this.mode = 'key';
    else this.mode = config.get('RATE_LIMIT_RPM', { infer: true }) > 0 ? 'ip' : 'open';
  }

  /**
   * What to check for a request, from its headers or address, without Redis: refuses missing, malformed and over-long
   * credentials with a 401 at once. Null when nothing is checked.
   */
  identify(request: FastifyRequest): AccessCheck | null {
    if (this.mode === 'open') return null;
    if (this.mode === 'ip') return { kind: 'ip', address: request.ip };
    return { kind: 'key', ...apiKeyFromHeaders(request.headers), day: utcDay(this.clock.now()) };
  }

  /**
   * Starts the check; it is sent with the other Redis reads of this event-loop turn. The RequestAccess settles with
   * the grant, or with a 401 (unknown or revoked key), 429 (over the rate) or a Redis error (503).
   */
  begin(check: AccessCheck | null): RequestAccess {
    if (check === null) return RequestAccess.OPEN;
    const decision = this.checks.check(check).then((result) => this.decide(check, result));
    if (check.kind === 'ip') return new RequestAccess([SHARED_SCOPE], decision);
    const known = this.knownScopes.get(check.id);
    return new RequestAccess(known ? [known] : [SHARED_SCOPE, privateScope(check.id)], decision);
  }

  /** identify + begin, awaited: for guards, which have nothing to batch the check with. */
  async authorize(request: FastifyRequest): Promise<AccessGrant> {
    return this.begin(this.identify(request)).decision;
  }

  private decide(check: AccessCheck, result: AccessCheckResult): AccessGrant {
    if (result.status === 'unknown') throw unauthorized('Unknown API key.');
    if (result.status === 'revoked') throw unauthorized('This API key has been revoked.');
    const policies: PolicyState[] = [];
    if (result.rate)
      policies.push({
        name: 'minute',
        quota: result.rate.limit,
        windowSeconds: 60,
        remaining: result.rate.remaining,
        resetSeconds: toSeconds(result.rate.resetMs),
      });
    let grant: AccessGrant;
    if (check.kind === 'key') {
      const scope = result.cache === 'private' ? privateScope(check.id) : SHARED_SCOPE;
      this.knownScopes.set(check.id, scope);
      const { limit, used } = result.dailyJobs;
      if (limit > 0)
        policies.push({
          name: 'daily-jobs',
          quota: limit,
          windowSeconds: 86_400,
          remaining: Math.max(0, limit - used),
          resetSeconds: toSeconds(msUntilNextUtcDay(this.clock.now())),
        });
      this.usage.record(check.id, 'requests');
      if (result.status === 'limited') this.usage.record(check.id, 'rate_limited');
      grant = {
        client: { kind: 'key', id: check.id },
        scope,
        dailyJobs: result.dailyJobs,
        policies,
        headers: rateLimitHeaders(policies),
      };
    } else {
      grant = {
        client: { kind: 'ip', address: check.address },
        scope: SHARED_SCOPE,
        dailyJobs: null,
        policies,
        headers: rateLimitHeaders(policies),
      };
    }
    if (result.status === 'limited') {
      const retrySeconds = Math.max(1, toSeconds(result.rate?.retryMs ?? 1_000));
      const limit = result.rate?.limit ?? 0;
      // On a 429 the window's t is the retry time: no request passes before it (the draft's Retry-After rule, 6).
      const refused = policies.map((policy) =>
        policy.name === 'minute' ? { ...policy, remaining: 0, resetSeconds: retrySeconds } : policy,
      );
      throw quotaExceeded(
        `Too many requests: ${limit} per minute for this ${check.kind === 'key' ? 'API key' : 'client address'}. ` +
          `Retry after ${retrySeconds} s.`,
        ['minute'],
        { ...rateLimitHeaders(refused), 'retry-after': String(retrySeconds) },
      );
    }
    return grant;
  }
}
