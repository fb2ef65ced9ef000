import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../core/redis/redis-keys';
import type { AiProvider } from './ai-errors';

export type AiCredentialsSnapshot =
  | { readonly ok: true; readonly provider?: AiProvider; readonly checkedAt?: Date }
  | {
      readonly ok: false;
      readonly provider: AiProvider;
      /** HTTP status of the rejection (401, 403, or 400 for Gemini's "API key not valid"). */
      readonly status: number | undefined;
      readonly message: string;
      readonly since: Date;
    };

/** A rejection is forgotten after this long without a new one (e.g. after a switch to another provider). */
const REJECTION_TTL_SECONDS = 3_600;
/** How often a process that sees accepted calls clears a rejection another process may have shared. */
const SHARED_CLEAR_INTERVAL_MS = 30_000;

/**
 * Remembers whether the AI provider last rejected our credentials, for `/health`. The calls happen in workers, so
 * the state is also shared through Redis: an API-only process reports a bad key a worker process met.
 * A bad key is "fixed" only by an accepted call, so the state does not flap back to healthy on its own.
 */
export class AiCredentialsState {
  private readonly logger = new Logger(AiCredentialsState.name);
  private state: AiCredentialsSnapshot = { ok: true };
  /** When this process last cleared the shared flag (0: not since start or since its last rejection). */
  private sharedClearedAt = 0;

  constructor(
    private readonly redis?: Redis,
    private readonly keys?: RedisKeys,
  ) {}

  /** Called after every call the provider answered without a credentials error. */
  recordAccepted(provider: AiProvider, now: Date = new Date()): void {
    this.state = { ok: true, provider, checkedAt: now };
    // Cleared again now and then, not only once: another process may have set it since (and died), and an accepted
    // call here proves the key works.
    if (this.redis && this.keys && now.getTime() - this.sharedClearedAt > SHARED_CLEAR_INTERVAL_MS) {
      this.sharedClearedAt = now.getTime();
      this.redis.del(this.keys.aiCredentialsRejected()).catch((error: unknown) => this.warn(error));
    }
  }

  recordRejected(
    provider: AiProvider,
    status: number | undefined,
    message: string,
    now: Date = new Date(),
  ): void {
    // Keep the first time it failed: "since" is what an operator wants to know.
    const since = !this.state.ok && this.state.provider === provider ? this.state.since : now;
    this.state = { ok: false, provider, status, message, since };
    this.sharedClearedAt = 0;
    if (this.redis && this.keys) {
      const shared = JSON.stringify({ provider, status, message, since: since.toISOString() });
      this.redis
        .set(this.keys.aiCredentialsRejected(), shared, 'EX', REJECTION_TTL_SECONDS)
        .catch((error: unknown) => this.warn(error));
    }
  }

  /** This process's own view. */
  snapshot(): AiCredentialsSnapshot {
    return this.state;
  }

  /** The view of every process of the deployment (through Redis when there is one). */
  async sharedSnapshot(): Promise<AiCredentialsSnapshot> {
    if (!this.redis || !this.keys) return this.state;
    const shared = await this.redis.get(this.keys.aiCredentialsRejected());
    if (shared === null) return this.state;
    const parsed = JSON.parse(shared) as {
      provider: AiProvider;
      status?: number;
      message: string;
      since: string;
    };
    return {
      ok: false,
      provider: parsed.provider,
      status: parsed.status,
      message: parsed.message,
      since: new Date(parsed.since),
    };
  }

  private warn(error: unknown): void {
    this.logger.warn({ err: error }, 'could not share the AI credentials state');
  }
}
