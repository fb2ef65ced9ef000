import { type CanActivate, type ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Environment } from '../core/config/environment';
import { ADMIN_AUTH_CHALLENGE, ADMIN_AUTH_HINT, carriesAdminToken } from './admin-credentials';

/**
 * Guards Nest routes meant for operators (`@UseGuards(AdminGuard)`): with `ADMIN_TOKEN` set, only requests carrying
 * it pass (Bearer, or Basic with the token as password); others get a 401 whose `WWW-Authenticate` makes browsers
 * prompt. Without `ADMIN_TOKEN` the deployment has no admin boundary and every request passes: routes that must not
 * exist without a token (the queue board) are not registered at all instead.
 */
@Injectable()
export class AdminGuard implements CanActivate {
  private readonly token: string | undefined;

  constructor(config: ConfigService<Environment, true>) {
    this.token = config.get('ADMIN_TOKEN', { infer: true });
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.token === undefined) return true;
    const http = context.switchToHttp();
    if (carriesAdminToken(http.getRequest<FastifyRequest>().headers.authorization, this.token)) return true;
    // Set on the reply before throwing: the exception filter writes status and body and keeps the headers.
    void http.getResponse<FastifyReply>().header('www-authenticate', ADMIN_AUTH_CHALLENGE);
    throw new UnauthorizedException(ADMIN_AUTH_HINT);
  }
}
