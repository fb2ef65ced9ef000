import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { isRedisOutOfMemory, isRedisUnavailableError } from '../redis/redis-connection';
import {
  PROBLEM_JSON,
  PROBLEM_TYPES,
  ProblemException,
  statusTitle,
  type ProblemDetails,
  type ProblemError,
} from './problem-details';

/** Retry-After of a 503, in seconds: Redis away (it usually returns within a second), Redis full (needs an operator). */
const RETRY_AFTER_UNAVAILABLE_S = 1;
const RETRY_AFTER_OUT_OF_MEMORY_S = 30;
const METHODS: readonly HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

interface Answer {
  readonly problem: ProblemDetails;
  readonly headers: Record<string, string>;
}

/**
 * Every error answer of the API is an RFC 9457 problem (`application/problem+json`: type, title, status, detail, and
 * `errors` listing each validation failure), whatever raised it: a handler, validation, Fastify's body parsing
 * (malformed JSON 400, 413, 415), an unknown route (404, or 405 with Allow when the path exists for another method),
 * Redis being away or full (503 with Retry-After). Anything else is a bug: 500, logged with the request id.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProblemDetailsFilter.name);

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { problem, headers } = this.toProblem(exception, request);
    void reply
      .status(problem.status)
      .headers(headers)
      .type(PROBLEM_JSON)
      .send({ ...problem, instance: request.url, request_id: request.id });
  }

  private toProblem(exception: unknown, request: FastifyRequest): Answer {
    if (exception instanceof ProblemException)
      return { problem: exception.problem, headers: { ...exception.headers } };
    if (isRedisOutOfMemory(exception)) {
      this.logger.warn({ err: exception, request_id: request.id }, 'Redis out of memory');
      return {
        problem: problem(503, 'Redis is out of memory (maxmemory reached); try again later.', {
          type: PROBLEM_TYPES.redisOutOfMemory,
        }),
        headers: { 'retry-after': String(RETRY_AFTER_OUT_OF_MEMORY_S) },
      };
    }
    if (!(exception instanceof HttpException) && isRedisUnavailableError(exception)) {
      this.logger.warn({ err: exception, request_id: request.id }, 'Redis unavailable');
      return {
        problem: problem(503, 'Redis is unavailable; try again shortly.', {
          type: PROBLEM_TYPES.redisUnavailable,
        }),
        headers: { 'retry-after': String(RETRY_AFTER_UNAVAILABLE_S) },
      };
    }
    if (exception instanceof HttpException) return this.fromHttpException(exception, request);
    if (isClientError(exception))
      return { problem: problem(exception.statusCode, exception.message), headers: {} };
    this.logger.error({ err: exception, request_id: request.id }, 'unexpected error');
    return {
      problem: problem(500, `An unexpected error occurred; it is logged under request id ${request.id}.`),
      headers: {},
    };
  }

  private fromHttpException(exception: HttpException, request: FastifyRequest): Answer {
    const status = exception.getStatus();
    const response = exception.getResponse();
    if (isHealthReport(response)) return { problem: healthProblem(status, response), headers: {} };
    const message = typeof response === 'string' ? response : (response as { message?: unknown }).message;
    const messages = Array.isArray(message)
      ? message.map(String)
      : [typeof message === 'string' ? message : exception.message];
    if (status === 404) {
      const allowed = this.methodsAllowedFor(request);
      if (allowed.length > 0) {
        return {
          problem: problem(405, `${request.method} is not supported here; use ${allowed.join(' or ')}.`),
          headers: { allow: allowed.join(', ') },
        };
      }
    }
    const errors = messages.length > 1 ? messages.map((detail) => ({ detail })) : undefined;
    return {
      problem: problem(
        status,
        messages.join('; '),
        status === 400 ? { errors, type: PROBLEM_TYPES.invalidRequest } : {},
      ),
      headers: {},
    };
  }

  /** The methods a route exists for at this URL, when the one asked for has none. */
  private methodsAllowedFor(request: FastifyRequest): HTTPMethods[] {
    if (request.routeOptions.url !== undefined) return [];
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const url = request.url.split('?')[0];
    return METHODS.filter((method) => method !== request.method && fastify.hasRoute({ method, url }));
  }
}

function problem(
  status: number,
  detail: string,
  extra: { type?: string; errors?: readonly ProblemError[] } = {},
): ProblemDetails {
  return {
    type: extra.type ?? 'about:blank',
    title: statusTitle(status),
    status,
    detail,
    ...(extra.errors ? { errors: extra.errors } : {}),
  };
}

/** What @nestjs/terminus throws with a failed health check: every check's state. */
interface HealthReport {
  readonly info?: Record<string, unknown>;
  readonly error: Record<string, { readonly message?: string } & Record<string, unknown>>;
  readonly details: Record<string, unknown>;
}

function isHealthReport(response: unknown): response is HealthReport {
  return typeof response === 'object' && response !== null && 'details' in response && 'error' in response;
}

/** A failed health check as a problem that names each failing check and keeps terminus's report as extensions. */
function healthProblem(status: number, report: HealthReport): ProblemDetails {
  const failing = Object.entries(report.error).map(([name, check]) =>
    check.message ? `${name}: ${check.message}` : name,
  );
  return {
    ...problem(status, `unhealthy: ${failing.join('; ')}`),
    info: report.info ?? {},
    error: report.error,
    details: report.details,
  };
}

/** Fastify's own 4xx errors, raised before a handler runs (bad JSON, body too large, unsupported media type). */
function isClientError(error: unknown): error is Error & { statusCode: number } {
  const statusCode = (error as { statusCode?: unknown } | null)?.statusCode;
  return error instanceof Error && typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500;
}
