import { type CacheScope, SHARED_SCOPE } from './cache-scope';
import type { PolicyState } from './rate-limit-headers';

/** Who a request was accepted as. */
export type AccessClient =
  | { readonly kind: 'key'; readonly id: string }
  | { readonly kind: 'ip'; readonly address: string }
  | { readonly kind: 'anonymous' };

/** A request that passed the access check: who it is, its cache scope, its quotas and the headers to answer with. */
export interface AccessGrant {
  readonly client: AccessClient;
  readonly scope: CacheScope;
  /** The API key's daily new-job quota (limit 0 = none) and the jobs it made today; null for IPs and anonymous. */
  readonly dailyJobs: { readonly limit: number; readonly used: number } | null;
  /** The quota policies that apply and where the client stands (RateLimit-Policy / RateLimit). */
  readonly policies: readonly PolicyState[];
  /** The RateLimit-Policy and RateLimit fields of the answer; empty when no limit applies. */
  readonly headers: Readonly<Record<string, string>>;
}

/** With API keys off and no RATE_LIMIT_RPM: nothing is checked, everything is shared. */
export const OPEN_GRANT: AccessGrant = Object.freeze<AccessGrant>({
  client: { kind: 'anonymous' },
  scope: SHARED_SCOPE,
  dailyJobs: null,
  policies: [],
  headers: {},
});
