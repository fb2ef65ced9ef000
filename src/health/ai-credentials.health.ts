import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { AiCredentialsState } from '../ai/ai-credentials-state';

/** Down while the AI provider rejects our API key (seen by any worker of the deployment). */
@Injectable()
export class AiCredentialsHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly credentials: AiCredentialsState,
  ) {}

  async check() {
    const indicator = this.health.check('ai_credentials');
    // Redis being away is the redis check's to report; this one then falls back to what this process saw.
    const state = await this.credentials.sharedSnapshot().catch(() => this.credentials.snapshot());
    if (state.ok) return indicator.up();
    return indicator.down({
      provider: state.provider,
      http_status: state.status ?? null,
      message: `the ${state.provider} API rejected the API key: ${state.message}`,
      since: state.since.toISOString(),
    });
  }
}
