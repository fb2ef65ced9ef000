import { HttpException } from '@nestjs/common';

/** RFC 9457 problem details: `type`, `title`, `status`, `detail`, and any extension members. */
export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly [extension: string]: unknown;
}

/**
 * An error answered as `application/problem+json` (RFC 9457) with the given headers (Retry-After, WWW-Authenticate,
 * RateLimit…); AllExceptionsFilter writes it. Thrown from Nest guards and from Fastify hooks of native routes alike.
 */
export class ProblemDetailsException extends HttpException {
  constructor(
    readonly problem: ProblemDetails,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(problem, problem.status);
  }
}
