import {
  applyDecorators,
  SetMetadata,
  type CanActivate,
  type ExecutionContext,
  Injectable,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Environment } from '../core/config/environment';
import { ApiProblem } from '../core/http/openapi';
import { ADMIN_AUTH_CHALLENGE, ADMIN_AUTH_HINT, carriesAdminToken } from './admin-credentials';

/** Route metadata: the route is an operator's only while API keys are required (see AdminAccess). */
const ONLY_WITH_API_KEYS = 'smartcache:admin-only-with-api-keys';

/**
 * Guards Nest routes meant for operators (`@AdminAccess()`): with `ADMIN_TOKEN` set, only requests carrying it pass
 * (Bearer, or Basic with the token as password); others get a 401 whose `WWW-Authenticate` makes browsers prompt.
 * Without `ADMIN_TOKEN` the deployment has no admin boundary and every request passes, unless API keys are required
 * (API_KEYS_REQUIRED): then nobody passes, since clients with keys must not read what operators read. Routes that must
 * not exist without a token (the queue board) are not registered at all instead.
 *
 * API routes that were open to every client before keys existed (the analytics, the job history) are operators' only
 * once keys are on (`@AdminAccess({ onlyWithApiKeys: true })`); with keys off they stay open, whatever ADMIN_TOKEN.
 */
@Injectable()
export class AdminGuard implements CanActivate {
  private readonly token: string | undefined;
  private readonly closedWithoutToken: boolean;

  constructor(
    config: ConfigService<Environment, true>,
    private readonly reflector: Reflector,
  ) {
    this.token = config.get('ADMIN_TOKEN', { infer: true });
    this.closedWithoutToken = config.get('API_KEYS_REQUIRED', { infer: true });
  }

  canActivate(context: ExecutionContext): boolean {
    const onlyWithKeys = this.reflector.getAllAndOverride<boolean | undefined>(ONLY_WITH_API_KEYS, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (onlyWithKeys && !this.closedWithoutToken) return true;
    if (this.token === undefined) {
      if (!this.closedWithoutToken) return true;
      throw new UnauthorizedException(
        'Operator routes are closed: API keys are required (API_KEYS_REQUIRED) and no ADMIN_TOKEN is set.',
      );
    }
    const http = context.switchToHttp();
    if (carriesAdminToken(http.getRequest<FastifyRequest>().headers.authorization, this.token)) return true;
    // Set on the reply before throwing: the exception filter writes status and body and keeps the headers.
    void http.getResponse<FastifyReply>().header('www-authenticate', ADMIN_AUTH_CHALLENGE);
    throw new UnauthorizedException(ADMIN_AUTH_HINT);
  }
}

/**
 * An operator route: the admin guard, and its 401 in OpenAPI. `onlyWithApiKeys`: an API route that stays open to
 * everyone while API keys are off.
 */
export function AdminAccess({ onlyWithApiKeys = false } = {}) {
  return applyDecorators(
    SetMetadata(ONLY_WITH_API_KEYS, onlyWithApiKeys),
    UseGuards(AdminGuard),
    ApiProblem(
      401,
      'The admin token is missing or wrong (ADMIN_TOKEN set), or operator routes are closed (API keys on, no ADMIN_TOKEN).',
    ),
  );
}
