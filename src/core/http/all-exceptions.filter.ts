import { ArgumentsHost, Catch, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import { isRedisUnavailableError } from '../redis/redis-connection';
import { ProblemDetailsException } from './problem-details.exception';

/**
 * Writes problem details (ProblemDetailsException) as `application/problem+json` with their headers, turns "Redis is
 * unreachable" into 503 (the client may retry; the service recovers by itself when Redis is back) and leaves every
 * other error to Nest's own handling, where anything unexpected is a 500 and a bug.
 */
@Catch()
export class AllExceptionsFilter extends BaseExceptionFilter {
  private readonly logger = new Logger(AllExceptionsFilter.name);

  override catch(exception: unknown, host: ArgumentsHost): void {
    if (exception instanceof ProblemDetailsException) {
      const reply = host.switchToHttp().getResponse<FastifyReply>();
      void reply
        .status(exception.problem.status)
        .headers(exception.headers)
        .type('application/problem+json')
        .send(exception.problem);
      return;
    }
    if (!(exception instanceof HttpException) && isRedisUnavailableError(exception)) {
      this.logger.warn({ err: exception }, 'Redis unavailable');
      const reply = host.switchToHttp().getResponse<FastifyReply>();
      void reply.status(HttpStatus.SERVICE_UNAVAILABLE).header('retry-after', '1').send({
        statusCode: 503,
        error: 'Service Unavailable',
        message: 'Redis is unavailable; try again shortly',
      });
      return;
    }
    super.catch(exception, host);
  }
}
