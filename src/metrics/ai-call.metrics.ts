import type { AiCallObserver, AiCallStart, AiCallWatch } from '../ai/ai-call-observer';
import type { MetricsRegistry } from './metrics.registry';

/**
 * The AI layer's {@link AiCallObserver}: counts every remote call in `smartcache_ai_calls_total` and its reported
 * tokens in `smartcache_ai_tokens_total`, and hands the call on to `next` (the trace span).
 */
export class AiCallMetrics implements AiCallObserver {
  constructor(
    private readonly metrics: MetricsRegistry,
    private readonly next?: AiCallObserver,
  ) {}

  start(call: AiCallStart): AiCallWatch {
    const next = this.next?.start(call);
    return {
      end: (result) => {
        this.metrics.countAiCall(call.provider, call.model, result.outcome, result.usage);
        next?.end(result);
      },
    };
  }
}
