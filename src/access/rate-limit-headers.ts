/**
 * The IETF RateLimit header fields, draft-ietf-httpapi-ratelimit-headers-11 (May 2026), structured-field syntax:
 *
 *   RateLimit-Policy: "minute";q=300;w=60, "daily-jobs";q=1000;w=86400     (quota q per window of w seconds)
 *   RateLimit: "minute";r=12;t=34, "daily-jobs";r=990;t=3600                (r left; no more than r within t seconds)
 *
 * https://datatracker.ietf.org/doc/draft-ietf-httpapi-ratelimit-headers/ (sections 3 and 4). Quota unit: requests
 * (the default, so no `qu`); for "daily-jobs" only the requests that create an AI job consume a unit, which the draft
 * leaves to the server (3.1.2).
 */

export type PolicyName = 'minute' | 'daily-jobs';

/** One quota policy and where the client stands in it. */
export interface PolicyState {
  readonly name: PolicyName;
  /** The quota per window (q). */
  readonly quota: number;
  /** The window in seconds (w). */
  readonly windowSeconds: number;
  /** Units left (r); without it the policy gets no RateLimit item (the draft lets servers leave items out, 6.2). */
  readonly remaining?: number;
  /** Seconds within which no more than `remaining` units are available (t): until the oldest counted unit frees up. */
  readonly resetSeconds?: number;
}

export const RATE_LIMIT_POLICY_HEADER = 'ratelimit-policy';
export const RATE_LIMIT_HEADER = 'ratelimit';

/** The two header fields for the policies that apply; none when no limit applies. */
export function rateLimitHeaders(policies: readonly PolicyState[]): Record<string, string> {
  if (policies.length === 0) return {};
  let policy = '';
  let state = '';
  for (const p of policies) {
    policy += `${policy ? ', ' : ''}"${p.name}";q=${p.quota};w=${p.windowSeconds}`;
    if (p.remaining !== undefined)
      state += `${state ? ', ' : ''}"${p.name}";r=${Math.max(0, p.remaining)};t=${Math.max(0, p.resetSeconds ?? 0)}`;
  }
  return state
    ? { [RATE_LIMIT_POLICY_HEADER]: policy, [RATE_LIMIT_HEADER]: state }
    : { [RATE_LIMIT_POLICY_HEADER]: policy };
}

/** Milliseconds to the whole seconds a client should wait, never less than the time itself. */
export function toSeconds(ms: number): number {
  return Math.max(0, Math.ceil(ms / 1000));
}
