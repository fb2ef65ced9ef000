import { ProblemException } from '../core/http/problem-details';
import type { PolicyName } from './rate-limit-headers';

/** Problem type of a 429 (draft-ietf-httpapi-ratelimit-headers-11, section 5.1): one or more quotas exceeded. */
export const QUOTA_EXCEEDED_TYPE = 'https://iana.org/assignments/http-problem-types#quota-exceeded';

/** 401 with problem details; WWW-Authenticate says which scheme to use (RFC 9110, 11.6.1). */
export function unauthorized(detail: string): ProblemException {
  return new ProblemException({ status: 401, detail }, { 'www-authenticate': 'Bearer realm="smartcache"' });
}

/** 429 with problem details, Retry-After and the RateLimit fields of the policy that was exceeded. */
export function quotaExceeded(
  detail: string,
  violatedPolicies: readonly PolicyName[],
  headers: Readonly<Record<string, string>>,
): ProblemException {
  return new ProblemException(
    {
      type: QUOTA_EXCEEDED_TYPE,
      title: 'Quota exceeded',
      status: 429,
      detail,
      extensions: { 'violated-policies': violatedPolicies },
    },
    { ...headers },
  );
}

/** 404 with problem details (a route that exists only with API keys on). */
export function notFound(detail: string): ProblemException {
  return new ProblemException({ status: 404, detail });
}
