import { HttpException } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';

/** The media type of every error answer (RFC 9457). */
export const PROBLEM_JSON = 'application/problem+json';

/** One invalid part of a request: what is wrong, and where (a JSON Pointer into the body, as in RFC 9457 §3). */
export interface ProblemError {
  readonly detail: string;
  readonly pointer?: string;
}

/** An RFC 9457 problem details object, as every error answer of the API is. */
export interface ProblemDetails {
  /** A URI naming the problem type; `about:blank` when the status code says it all. */
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance?: string;
  /** Each validation failure, when there were several things to fix. */
  readonly errors?: readonly ProblemError[];
  readonly [extension: string]: unknown;
}

/** A problem to answer with; `type` defaults to `about:blank` and `title` to the status code's phrase. */
export interface ProblemInput {
  readonly status: number;
  readonly detail: string;
  readonly type?: string;
  readonly title?: string;
  readonly errors?: readonly ProblemError[];
  /** Extension members (RFC 9457 §3.2), e.g. the limit a 429 hit. */
  readonly extensions?: Readonly<Record<string, unknown>>;
}

/** Problem types of this API (URNs: stable names, not pages to fetch). */
export const PROBLEM_TYPES = {
  invalidRequest: 'urn:smartcache:problem:invalid-request',
  redisUnavailable: 'urn:smartcache:problem:redis-unavailable',
  redisOutOfMemory: 'urn:smartcache:problem:redis-out-of-memory',
} as const;

export function statusTitle(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}

/**
 * An error that answers with a given problem (and headers, e.g. Retry-After). Thrown where a handler knows exactly
 * what to tell the client; the exception filter writes it as it is.
 */
export class ProblemException extends HttpException {
  readonly problem: ProblemDetails;
  readonly headers: Readonly<Record<string, string>>;

  constructor(problem: ProblemInput, headers: Record<string, string> = {}) {
    const full: ProblemDetails = {
      ...problem.extensions,
      type: problem.type ?? 'about:blank',
      title: problem.title ?? statusTitle(problem.status),
      status: problem.status,
      detail: problem.detail,
      ...(problem.errors ? { errors: problem.errors } : {}),
    };
    super(full, problem.status);
    this.problem = full;
    this.headers = headers;
  }
}

/** A 400 listing every invalid part of the request. */
export function invalidRequest(errors: readonly ProblemError[]): ProblemException {
  return new ProblemException({
    type: PROBLEM_TYPES.invalidRequest,
    status: 400,
    detail: errors.map((error) => error.detail).join('; '),
    errors,
  });
}
