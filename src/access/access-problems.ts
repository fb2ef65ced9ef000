import { ProblemException } from '../core/http/problem-details';
import type { PolicyName } from './rate-limit-headers';

/** Problem type of a 429 (draft-ietf-httpapi-ratelimit-headers-11, section 5.1): one or more quotas exceeded. */
export const QUOTA_EXCEEDED_TYPE = 'https://iana.org/assignments/http-problem-types#quota-exceeded';

/** 401 with problem details; WWW-Authenticate says which scheme to use (RFC 9110, 11.6.1). */
export function unauthorized(detail: string): ProblemException {
  return new ProblemException({ status: 401, detail }, { 'www-authenticate': 'Bearer realm="smartcache"' });
}

/**
 * 429 with problem details, Retry-After and the RateLimit fields of the policy that was exceeded. The body repeats
 * Retry-After as `retry-after` (seconds): a batch answers a refused item with this body and no headers of its own.
 */
export class QuotaExceededException extends ProblemException {
  constructor(
    detail: string,
    violatedPolicies: readonly PolicyName[],
    retryAfterSeconds: number,
    headers: Readonly<Record<string, string>>,
  ) {
    super(
      {
        type: QUOTA_EXCEEDED_TYPE,
        title: 'Quota exceeded',
        status: 429,
        detail,
        extensions: { 'violated-policies': violatedPolicies, 'retry-after': retryAfterSeconds },
      },
      { ...headers, 'retry-after': String(retryAfterSeconds) },
    );
  }
}

/**
 * The daily job quota's 429. It refuses one input, not the request: a batch answers it as that item's error and goes
 * on with the others. (The request rate's 429 refuses the request itself, a batch included.)
 */
export class DailyJobsExceededException extends QuotaExceededException {
  constructor(detail: string, retryAfterSeconds: number, headers: Readonly<Record<string, string>>) {
    super(detail, ['daily-jobs'], retryAfterSeconds, headers);
  }
}

/** 404 with problem details (a route that exists only with API keys on). */
export function notFound(detail: string): ProblemException {
  return new ProblemException({ status: 404, detail });
}
