import {
  applyDecorators,
  type CanActivate,
  createParamDecorator,
  type ExecutionContext,
  Injectable,
  UseGuards,
} from '@nestjs/common';
import { ApiProblem } from '../core/http/openapi';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type AccessGrant, grantHeaders, OPEN_GRANT } from './access-grant';
import { AccessService } from './access.service';

const grants = new WeakMap<FastifyRequest, AccessGrant>();

/**
 * The access check of the Nest controllers (status, usage): API key and request rate, as on the submit route; the
 * answer carries the RateLimit fields. Nothing to batch with here, so the check is awaited (one round trip of its own).
 */
@Injectable()
export class ApiAccessGuard implements CanActivate {
  constructor(private readonly access: AccessService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.access.mode === 'open') return true;
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const grant = await this.access.authorize(request);
    grants.set(request, grant);
    void http.getResponse<FastifyReply>().headers(grantHeaders(grant));
    return true;
  }
}

/** The caller's grant in a controller guarded by ApiAccessGuard (OPEN_GRANT when nothing is checked). */
export const CallerGrant = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AccessGrant =>
    grants.get(context.switchToHttp().getRequest<FastifyRequest>()) ?? OPEN_GRANT,
);

/** A controller or route under the API's access control: the guard, and its 401 and 429 answers in OpenAPI. */
export function ApiAccess() {
  return applyDecorators(
    UseGuards(ApiAccessGuard),
    ApiProblem(
      401,
      'API keys are on (API_KEYS_REQUIRED) and the key is missing, malformed, unknown or revoked.',
    ),
    ApiProblem(
      429,
      'Over the request rate (RATE_LIMIT_RPM or the key’s own); see RateLimit and Retry-After.',
      {
        retryAfter: true,
      },
    ),
  );
}
