import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Environment } from '../core/config/environment';
import { unauthorized } from './access-problems';
import { bearerToken } from './credentials';

/**
 * Guards admin routes (GET /api/analytics) with ADMIN_TOKEN, sent as `Authorization: Bearer <token>` or
 * `x-admin-token`. Closed whenever API keys are on or ADMIN_TOKEN is set; open otherwise, as before keys existed.
 *
 * Deliberately small and self-contained: a shared admin-token guard is being built under src/admin, and this one is
 * meant to be replaced by it (same contract: 401 problem details unless the token matches).
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly required: boolean;
  /** SHA-256 of ADMIN_TOKEN: equal-length digests compare in constant time whatever the caller sends. */
  private readonly digest: Buffer | null;

  constructor(config: ConfigService<Environment, true>) {
    const token = config.get('ADMIN_TOKEN', { infer: true });
    this.digest = token ? sha256(token) : null;
    this.required = config.get('API_KEYS_REQUIRED', { infer: true }) || this.digest !== null;
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.required) return true;
    if (this.digest === null)
      throw unauthorized('Admin routes are closed while API keys are on: set ADMIN_TOKEN to use them.');
    const { headers } = context.switchToHttp().getRequest<FastifyRequest>();
    const adminHeader = headers['x-admin-token'];
    const presented =
      bearerToken(headers.authorization) ?? (typeof adminHeader === 'string' ? adminHeader : undefined);
    if (presented === undefined)
      throw unauthorized('This route needs the admin token: `Authorization: Bearer <ADMIN_TOKEN>`.');
    if (!timingSafeEqual(sha256(presented), this.digest)) throw unauthorized('Wrong admin token.');
    return true;
  }
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
