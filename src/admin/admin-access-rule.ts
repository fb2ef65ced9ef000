import type { ConfigService } from '@nestjs/config';
import type { Environment } from '../core/config/environment';
import { ADMIN_AUTH_HINT, carriesAdminToken } from './admin-credentials';

/** Why a request may not see an operator page: what its 401 says, and whether to send the Basic challenge. */
export interface AdminRefusal {
  readonly detail: string;
  /** Only when the token would open the page: then browsers should prompt for it (`WWW-Authenticate: Basic …`). */
  readonly challenge: boolean;
}

const TOKEN_NEEDED: AdminRefusal = { detail: ADMIN_AUTH_HINT, challenge: true };
const CLOSED: AdminRefusal = {
  detail: 'Operator routes are closed: API keys are required (API_KEYS_REQUIRED) and no ADMIN_TOKEN is set.',
  challenge: false,
};

/**
 * Who may see what operators see (the analytics, `/metrics` of every process, the dashboards), in one place so the
 * API's routes, the queue board and a worker's own metrics server cannot drift apart:
 * - with `ADMIN_TOKEN` set, only requests carrying it (Bearer, or Basic with the token as the password);
 * - without it the deployment has no admin boundary and every request passes, unless API keys are required
 *   (API_KEYS_REQUIRED): then nobody passes, since clients with keys must not read what operators read.
 *   One exception, outside this rule: the queue board (it can retry and remove jobs) is refused to everyone while
 *   `ADMIN_TOKEN` is unset (queue-board.route.ts).
 *
 * `onlyWithApiKeys`: an API route that was open to every client before keys existed (the analytics, the job
 * history) is operators' only once keys are on; with keys off it stays open, whatever ADMIN_TOKEN.
 */
export class AdminAccessRule {
  constructor(
    private readonly token: string | undefined,
    private readonly apiKeysRequired: boolean,
  ) {}

  static fromConfig(config: ConfigService<Environment, true>): AdminAccessRule {
    return new AdminAccessRule(
      config.get('ADMIN_TOKEN', { infer: true }),
      config.get('API_KEYS_REQUIRED', { infer: true }),
    );
  }

  /** Undefined when a request with this `Authorization` header passes; else why it does not. */
  refusal(authorization: string | undefined, { onlyWithApiKeys = false } = {}): AdminRefusal | undefined {
    if (onlyWithApiKeys && !this.apiKeysRequired) return undefined;
    if (this.token === undefined) return this.apiKeysRequired ? CLOSED : undefined;
    return carriesAdminToken(authorization, this.token) ? undefined : TOKEN_NEEDED;
  }
}
