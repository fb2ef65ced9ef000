import {
  ApiError,
  FinishReason,
  GoogleGenAI,
  type GenerateContentResponseUsageMetadata,
} from '@google/genai';
import {
  AiCredentialsError,
  type AiError,
  AiPermanentError,
  AiRateLimitedError,
  AiTransientError,
  parseDurationMs,
} from '../ai-errors';
import { batchGeminiSchema, SUMMARY_GEMINI_SCHEMA, type PromptConversation } from '../prompts';
import {
  RemoteSummarizer,
  type ModelReply,
  type RemoteSummarizerOptions,
  type SpentSoFar,
} from '../remote-summarizer';
import type { TokenUsage } from '../summarizer';

export interface GeminiSummarizerOptions extends RemoteSummarizerOptions {
  readonly apiKey: string;
  /** e.g. `gemini-3.5-flash-lite` (`GEMINI_MODEL`). */
  readonly model: string;
  /** `GEMINI_BASE_URL`: a proxy, or a fake API in tests. The SDK appends `/v1beta/models/{model}:generateContent`. */
  readonly baseUrl?: string;
  /** `AI_TIMEOUT_MS`: bounds one HTTP call, body included. */
  readonly timeoutMs: number;
  /** Sampling temperature; low, because the same input should give the same (cached) kind of answer. */
  readonly temperature?: number;
}

/** Finish reasons meaning the answer was withheld for its content; asking again gives the same result. */
const BLOCKED_FINISH_REASONS: ReadonlySet<string> = new Set<string>([
  FinishReason.SAFETY,
  FinishReason.RECITATION,
  FinishReason.BLOCKLIST,
  FinishReason.PROHIBITED_CONTENT,
  FinishReason.SPII,
]);

/** ErrorInfo reasons Gemini gives (with HTTP 400, not 401) for a key that is wrong, expired or not allowed. */
const BAD_KEY_REASONS: ReadonlySet<string> = new Set([
  'API_KEY_INVALID',
  'API_KEY_EXPIRED',
  'API_KEY_SERVICE_BLOCKED',
  'API_KEY_HTTP_REFERRER_BLOCKED',
  'API_KEY_IP_ADDRESS_BLOCKED',
]);

/** Google's JSON error body: `{error: {code, message, status, details: [{'@type', ...}]}}`. */
interface GoogleErrorBody {
  readonly code?: number;
  readonly message?: string;
  readonly status?: string;
  readonly details?: ReadonlyArray<Record<string, unknown>>;
}

/** Gemini through `@google/genai`, in JSON mode with a response schema. */
export class GeminiSummarizer extends RemoteSummarizer {
  private readonly client: GoogleGenAI;
  private readonly temperature: number;

  constructor(options: GeminiSummarizerOptions) {
    super('gemini', options);
    this.temperature = options.temperature ?? 0.2;
    this.client = new GoogleGenAI({
      apiKey: options.apiKey,
      // Never let GOOGLE_GENAI_USE_VERTEXAI in the environment switch us to Vertex AI behind the config's back.
      vertexai: false,
      httpOptions: {
        baseUrl: options.baseUrl,
        timeout: options.timeoutMs,
        // The SDK retries nothing unless told to; pinning one attempt keeps it so if a release changes the
        // default, because the queue owns retries and a hidden retry loop would multiply calls and delays.
        retryOptions: { attempts: 1 },
      },
    });
  }

  protected async complete(
    conversation: PromptConversation,
    signal: AbortSignal | undefined,
  ): Promise<ModelReply> {
    const response = await this.client.models.generateContent({
      model: this.identity.model,
      contents: conversation.turns.map((turn) => ({
        role: turn.role === 'assistant' ? 'model' : 'user',
        parts: [{ text: turn.text }],
      })),
      config: {
        systemInstruction: conversation.system,
        responseMimeType: 'application/json',
        responseSchema:
          conversation.answer.kind === 'batch'
            ? batchGeminiSchema(conversation.answer.ids)
            : SUMMARY_GEMINI_SCHEMA,
        temperature: this.temperature,
        abortSignal: signal,
      },
    });
    const usage = toUsage(response.usageMetadata);
    const modelVersion = response.modelVersion;
    const blockReason = response.promptFeedback?.blockReason;
    if (blockReason) {
      const detail = response.promptFeedback?.blockReasonMessage;
      return {
        text: '',
        usage,
        modelVersion,
        blocked: `Gemini blocked the input (blockReason ${blockReason}${detail ? `: ${detail}` : ''})`,
      };
    }
    const candidate = response.candidates?.[0];
    const finishReason = candidate?.finishReason;
    if (finishReason && BLOCKED_FINISH_REASONS.has(finishReason)) {
      return {
        text: '',
        usage,
        modelVersion,
        blocked: `Gemini withheld the answer (finishReason ${finishReason})`,
      };
    }
    // No candidate and no block reason: an empty answer, which the validator rejects and the repair call retries.
    return { text: response.text ?? '', usage, modelVersion };
  }

  protected classifyError(error: unknown, spent: SpentSoFar): AiError {
    const base = { provider: 'gemini' as const, ...spent, cause: error };
    if (error instanceof ApiError) {
      const body = parseErrorBody(error.message);
      const status = error.status;
      const detail = body?.message ?? error.message;
      const grpcStatus = body?.status;
      const options = { ...base, status };
      if (status === 429 || grpcStatus === 'RESOURCE_EXHAUSTED') {
        return new AiRateLimitedError(`Gemini rate limit or quota exceeded (${status}): ${detail}`, {
          ...options,
          retryAfterMs: retryDelayMs(body),
        });
      }
      if (
        status === 401 ||
        status === 403 ||
        hasBadKeyReason(body) ||
        /API key (not valid|expired)/i.test(detail)
      ) {
        return new AiCredentialsError(
          `Gemini rejected the API key (${status} ${grpcStatus ?? ''}): ${detail}`,
          options,
        );
      }
      if (status === 404) {
        return new AiPermanentError(`Gemini does not know model "${this.identity.model}" (404): ${detail}`, {
          ...options,
          reason: 'unknown_model',
        });
      }
      if (status === 408 || status >= 500) {
        return new AiTransientError(`Gemini server error (${status}): ${detail}`, {
          ...options,
          reason: 'server_error',
        });
      }
      return new AiPermanentError(`Gemini rejected the request (${status} ${grpcStatus ?? ''}): ${detail}`, {
        ...options,
        reason: 'bad_request',
      });
    }
    if (isAbortError(error)) {
      // The caller's signal is checked before this runs, so an abort here is the SDK's per-call timeout.
      return new AiTransientError('Gemini call timed out', { ...base, reason: 'timeout' });
    }
    const message = error instanceof Error ? error.message : String(error);
    return new AiTransientError(`Gemini call failed: ${message}`, { ...base, reason: 'connection' });
  }
}

function toUsage(metadata: GenerateContentResponseUsageMetadata | undefined): TokenUsage | undefined {
  if (!metadata) return undefined;
  const inputTokens = metadata.promptTokenCount ?? 0;
  // Thinking tokens are billed as output; counting them keeps input + output = total.
  const outputTokens = (metadata.candidatesTokenCount ?? 0) + (metadata.thoughtsTokenCount ?? 0);
  return { inputTokens, outputTokens, totalTokens: metadata.totalTokenCount ?? inputTokens + outputTokens };
}

/** The SDK puts the raw JSON error body in `message`. */
function parseErrorBody(message: string): GoogleErrorBody | undefined {
  try {
    const parsed = JSON.parse(message) as { error?: unknown };
    return typeof parsed.error === 'object' && parsed.error !== null ? parsed.error : undefined;
  } catch {
    return undefined;
  }
}

/** `google.rpc.RetryInfo.retryDelay`, e.g. "17s". */
function retryDelayMs(body: GoogleErrorBody | undefined): number | undefined {
  const info = body?.details?.find((detail) => String(detail['@type']).endsWith('google.rpc.RetryInfo'));
  return parseDurationMs(info?.retryDelay);
}

function hasBadKeyReason(body: GoogleErrorBody | undefined): boolean {
  return (
    body?.details?.some(
      (detail) =>
        String(detail['@type']).endsWith('google.rpc.ErrorInfo') &&
        BAD_KEY_REASONS.has(String(detail.reason)),
    ) ?? false
  );
}

function isAbortError(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
}
