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
import { AdminAccessRule } from './admin-access-rule';
import { ADMIN_AUTH_CHALLENGE } from './admin-credentials';

/** Route metadata: the route is an operator's only while API keys are required (see AdminAccessRule). */
const ONLY_WITH_API_KEYS = 'smartcache:admin-only-with-api-keys';

/**
 * Guards Nest routes meant for operators (`@AdminAccess()`, or `@UseGuards(AdminGuard)`) with the AdminAccessRule.
 * A refused request gets a 401; when the token would open the route its `WWW-Authenticate` makes browsers prompt.
 */
@Injectable()
export class AdminGuard implements CanActivate {
  private readonly rule: AdminAccessRule;

  constructor(
    config: ConfigService<Environment, true>,
    private readonly reflector: Reflector,
  ) {
    this.rule = AdminAccessRule.fromConfig(config);
  }

  canActivate(context: ExecutionContext): boolean {
    const onlyWithApiKeys = this.reflector.getAllAndOverride<boolean | undefined>(ONLY_WITH_API_KEYS, [
      context.getHandler(),
      context.getClass(),
    ]);
    const http = context.switchToHttp();
    const refusal = this.rule.refusal(http.getRequest<FastifyRequest>().headers.authorization, {
      onlyWithApiKeys: onlyWithApiKeys ?? false,
    });
    if (refusal === undefined) return true;
    // Set on the reply before throwing: the exception filter writes status and body and keeps the headers.
    if (refusal.challenge)
      void http.getResponse<FastifyReply>().header('www-authenticate', ADMIN_AUTH_CHALLENGE);
    throw new UnauthorizedException(refusal.detail);
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
