import { Injectable } from '@nestjs/common';
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

/**
 * Remembers whether the AI provider last rejected our credentials, for `/health`. Per process: in a split
 * deployment (PROCESS_ROLE=api + workers) only the worker processes that make the calls know.
 * A bad key is "fixed" only by an accepted call, so the state does not flap back to healthy on its own.
 */
@Injectable()
export class AiCredentialsState {
  private state: AiCredentialsSnapshot = { ok: true };

  /** Called after every call the provider answered without a credentials error. */
  recordAccepted(provider: AiProvider, now: Date = new Date()): void {
    this.state = { ok: true, provider, checkedAt: now };
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
  }

  snapshot(): AiCredentialsSnapshot {
    return this.state;
  }
}
