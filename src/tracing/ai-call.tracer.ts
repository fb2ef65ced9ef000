import { SpanKind } from '@opentelemetry/api';
import type { AiCallObserver, AiCallStart, AiCallWatch } from '../ai/ai-call-observer';
import { GEN_AI, GEN_AI_PROVIDER } from './gen-ai-attributes';
import { recordError, tracer, tracingStarted } from './tracer';

const UNWATCHED: AiCallWatch = { end: () => undefined };

/**
 * The span of each remote AI call, with the GenAI semantic-convention attributes: a client span named
 * `{operation} {model}` (`generate_content gemini-3.5-flash-lite`), a child of the job's `job.summarize` span (for a
 * batched call, of the span of the job whose request started the batch). Nothing when the process does not trace.
 */
export class AiCallTracer implements AiCallObserver {
  start(call: AiCallStart): AiCallWatch {
    if (!tracingStarted() || call.provider === 'local') return UNWATCHED;
    const provider = GEN_AI_PROVIDER[call.provider];
    const span = tracer().startSpan(`${provider.operation} ${call.model}`, {
      kind: SpanKind.CLIENT,
      attributes: {
        [GEN_AI.operationName]: provider.operation,
        [GEN_AI.providerName]: provider.name,
        [GEN_AI.system]: provider.name,
        [GEN_AI.requestModel]: call.model,
        'smartcache.ai.purpose': call.purpose,
        'smartcache.ai.inputs': call.inputs,
      },
    });
    return {
      end: (result) => {
        if (result.responseModel) span.setAttribute(GEN_AI.responseModel, result.responseModel);
        if (result.usage) {
          span.setAttribute(GEN_AI.inputTokens, result.usage.inputTokens);
          span.setAttribute(GEN_AI.outputTokens, result.usage.outputTokens);
        }
        span.setAttribute('smartcache.ai.outcome', result.outcome);
        if (result.error) recordError(span, result.error);
        span.end();
      },
    };
  }
}
