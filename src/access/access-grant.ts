import { type CacheScope, SHARED_SCOPE } from '../jobs/cache-scope';
import { rateLimitHeaders, type PolicyState } from './rate-limit-headers';

/** Who a request was accepted as. */
export type AccessClient =
  | { readonly kind: 'key'; readonly id: string }
  | { readonly kind: 'ip'; readonly address: string }
  | { readonly kind: 'anonymous' };

/** Where a client stands in its request-rate window, this request counted. */
export interface RateState {
  readonly limit: number;
  readonly remaining: number;
  /** Seconds until the oldest counted request leaves the window. */
  readonly resetSeconds: number;
}

/** An API key's daily job quota; the count is known once this request has reserved a job (JobQuotaService). */
export interface DailyJobsState {
  /** New jobs per UTC day; 0 = no quota (jobs are counted all the same). */
  readonly limit: number;
  /** Jobs made today, this request's included; null until the request reserves one (hits never do). */
  used: number | null;
  /** Seconds until UTC midnight, when `used` was learnt. */
  resetSeconds: number | null;
}

/** A request that passed the access check: who it is, its cache scope and where it stands in its quotas. */
export interface AccessGrant {
  readonly client: AccessClient;
  readonly scope: CacheScope;
  /** Null when no request-rate limit applies. */
  readonly rate: RateState | null;
  /** An API key's daily job quota; null for IPs and anonymous callers. */
  readonly dailyJobs: DailyJobsState | null;
}

/** With API keys off and no RATE_LIMIT_RPM: nothing is checked, everything is shared. */
export const OPEN_GRANT: AccessGrant = Object.freeze<AccessGrant>({
  client: { kind: 'anonymous' },
  scope: SHARED_SCOPE,
  rate: null,
  dailyJobs: null,
});

/**
 * The quota policies of a grant. The daily-jobs policy is always listed (RateLimit-Policy) but has a RateLimit item
 * only once its count is known, i.e. on an answer that made or joined a job; a hit does not touch it.
 */
export function policiesOf(grant: AccessGrant): PolicyState[] {
  const policies: PolicyState[] = [];
  if (grant.rate)
    policies.push({
      name: 'minute',
      quota: grant.rate.limit,
      windowSeconds: 60,
      remaining: grant.rate.remaining,
      resetSeconds: grant.rate.resetSeconds,
    });
  const daily = grant.dailyJobs;
  if (daily && daily.limit > 0)
    policies.push({
      name: 'daily-jobs',
      quota: daily.limit,
      windowSeconds: 86_400,
      ...(daily.used !== null &&
        daily.resetSeconds !== null && {
          remaining: Math.max(0, daily.limit - daily.used),
          resetSeconds: daily.resetSeconds,
        }),
    });
  return policies;
}

/** The RateLimit-Policy and RateLimit fields of an answer to the grant's request; none when no limit applies. */
export function grantHeaders(grant: AccessGrant): Record<string, string> {
  return grant.rate === null && grant.dailyJobs === null ? {} : rateLimitHeaders(policiesOf(grant));
}
