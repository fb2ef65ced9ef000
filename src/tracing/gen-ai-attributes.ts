import type { AiProvider } from '../ai/ai-errors';

/**
 * The OpenTelemetry GenAI semantic conventions used on the AI call's span (opentelemetry.io/docs/specs/semconv/gen-ai,
 * now kept in the semantic-conventions-genai repository; `@opentelemetry/semantic-conventions` still exports them,
 * marked as moved). Spelled out here rather than imported, so a deprecation notice there does not fail the lint here.
 */
export const GEN_AI = {
  operationName: 'gen_ai.operation.name',
  providerName: 'gen_ai.provider.name',
  /** The attribute `gen_ai.provider.name` replaced; still set for backends that have not moved yet. */
  system: 'gen_ai.system',
  requestModel: 'gen_ai.request.model',
  responseModel: 'gen_ai.response.model',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
} as const;

/** `gen_ai.provider.name` and `gen_ai.operation.name` of each remote provider's call. */
export const GEN_AI_PROVIDER: Record<Exclude<AiProvider, 'local'>, { name: string; operation: string }> = {
  // The Gemini Developer API (`generativelanguage.googleapis.com`), which @google/genai calls with vertexai: false.
  gemini: { name: 'gcp.gemini', operation: 'generate_content' },
  // Chat Completions of OpenAI or any OpenAI-compatible server.
  openai: { name: 'openai', operation: 'chat' },
};
