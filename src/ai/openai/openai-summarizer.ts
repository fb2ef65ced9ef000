import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, BadRequestError } from 'openai';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import {
  AiCredentialsError,
  type AiError,
  AiPermanentError,
  AiRateLimitedError,
  AiTransientError,
  parseRetryAfterMs,
} from '../ai-errors';
import {
  BATCH_SCHEMA_NAME,
  batchJsonSchema,
  SUMMARY_JSON_SCHEMA,
  SUMMARY_SCHEMA_NAME,
  type PromptConversation,
} from '../prompts';
import {
  RemoteSummarizer,
  type ModelReply,
  type RemoteSummarizerOptions,
  type SpentSoFar,
} from '../remote-summarizer';

/** `json_schema` constrains the answer to the schema; `json_object` only to some JSON (for servers without schemas). */
export type OpenAiJsonMode = 'json_schema' | 'json_object';

export interface OpenAiSummarizerOptions extends RemoteSummarizerOptions {
  /** `OPENAI_BASE_URL`, including the API version path, e.g. `http://localhost:11434/v1` for Ollama. */
  readonly baseUrl: string;
  /** `OPENAI_API_KEY`; local servers usually need none. */
  readonly apiKey?: string;
  /** `AI_TIMEOUT_MS`: bounds one HTTP call. */
  readonly timeoutMs: number;
  /** Start with this mode; default `json_schema`, which falls back to `json_object` if the server rejects it. */
  readonly jsonMode?: OpenAiJsonMode;
  readonly temperature?: number;
}

/**
 * Structured outputs need an object at the root of the schema (OpenAI's structured-outputs guide: "the root level
 * object of a schema must be an object"), and `json_object` mode answers objects only: a batched answer is the array
 * of `{id, summary, tags}` under this key.
 */
export const OPENAI_BATCH_ENVELOPE = 'summaries';

/** A 400 whose message is about the response format, i.e. the server does not support structured outputs. */
const RESPONSE_FORMAT_REJECTED = /response_format|json_schema|structured output/i;

/**
 * Any OpenAI-compatible chat completions server (OpenAI, Ollama, vLLM, llama.cpp) through the official SDK, with a
 * strict JSON schema for the answer.
 */
export class OpenAiSummarizer extends RemoteSummarizer {
  private readonly client: OpenAI;
  private temperature: number | undefined;
  private jsonMode: OpenAiJsonMode;

  constructor(options: OpenAiSummarizerOptions) {
    super('openai', options, OPENAI_BATCH_ENVELOPE);
    this.temperature = options.temperature ?? 0.2;
    this.jsonMode = options.jsonMode ?? 'json_schema';
    this.client = new OpenAI({
      baseURL: options.baseUrl,
      // The SDK refuses to start without a key; servers on the user's own hardware ignore it.
      apiKey: options.apiKey ?? 'no-key',
      timeout: options.timeoutMs,
      // The queue owns retries: one attempt of a job is one HTTP call.
      maxRetries: 0,
    });
  }

  /** The JSON mode in use; `json_object` once the server has rejected `json_schema`. */
  get currentJsonMode(): OpenAiJsonMode {
    return this.jsonMode;
  }

  protected async complete(
    conversation: PromptConversation,
    signal: AbortSignal | undefined,
  ): Promise<ModelReply> {
    // Each adaptation below happens at most once per process, so it costs one extra (unbilled, rejected) call
    // once instead of failing every job; after that the request is simply sent in the form the server accepts.
    for (;;) {
      try {
        return await this.send(conversation, signal);
      } catch (error) {
        if (!(error instanceof BadRequestError) || !this.adaptTo(error.message)) throw error;
      }
    }
  }

  /** Changes the request after a 400 the server gave for a feature it lacks; false when nothing is left to drop. */
  private adaptTo(message: string): boolean {
    // Older llama.cpp and vLLM builds reject json_schema: json_object still forces JSON, the prompt spells out the
    // shape and the validator checks it.
    if (this.jsonMode === 'json_schema' && RESPONSE_FORMAT_REJECTED.test(message)) {
      this.jsonMode = 'json_object';
      return true;
    }
    // Reasoning models (o-series, gpt-5) accept only their default temperature.
    if (this.temperature !== undefined && /temperature/i.test(message)) {
      this.temperature = undefined;
      return true;
    }
    return false;
  }

  private async send(conversation: PromptConversation, signal: AbortSignal | undefined): Promise<ModelReply> {
    const { answer } = conversation;
    const jsonSchema =
      answer.kind === 'batch'
        ? {
            name: BATCH_SCHEMA_NAME,
            schema: batchJsonSchema(answer.ids, answer.envelope ?? OPENAI_BATCH_ENVELOPE),
          }
        : { name: SUMMARY_SCHEMA_NAME, schema: { ...SUMMARY_JSON_SCHEMA } };
    const params: ChatCompletionCreateParamsNonStreaming = {
      model: this.identity.model,
      messages: [
        { role: 'system', content: conversation.system },
        ...conversation.turns.map((turn) => ({ role: turn.role, content: turn.text })),
      ],
      ...(this.temperature === undefined ? {} : { temperature: this.temperature }),
      response_format:
        this.jsonMode === 'json_schema'
          ? {
              type: 'json_schema',
              json_schema: { name: jsonSchema.name, strict: true, schema: jsonSchema.schema },
            }
          : { type: 'json_object' },
    };
    const completion = await this.client.chat.completions.create(params, { signal });
    const usage = completion.usage
      ? {
          inputTokens: completion.usage.prompt_tokens,
          outputTokens: completion.usage.completion_tokens,
          totalTokens: completion.usage.total_tokens,
        }
      : undefined;
    const modelVersion = completion.model || undefined;
    const choice = completion.choices[0];
    if (choice?.finish_reason === 'content_filter') {
      return {
        text: '',
        usage,
        modelVersion,
        blocked: 'The model provider filtered the answer (finish_reason content_filter)',
      };
    }
    const refusal = choice?.message.refusal;
    if (refusal) return { text: '', usage, modelVersion, blocked: `The model refused to answer: ${refusal}` };
    return { text: choice?.message.content ?? '', usage, modelVersion };
  }

  protected classifyError(error: unknown, spent: SpentSoFar): AiError {
    const base = { provider: 'openai' as const, ...spent, cause: error };
    // Timeout is a subclass of connection error, which is a subclass of APIError: check the specific ones first.
    // No case for APIUserAbortError: the SDK throws it only when our signal fired, which RemoteSummarizer has
    // already turned into an `aborted` error before asking here.
    if (error instanceof APIConnectionTimeoutError) {
      return new AiTransientError('OpenAI-compatible call timed out', { ...base, reason: 'timeout' });
    }
    if (error instanceof APIConnectionError) {
      return new AiTransientError(`OpenAI-compatible server unreachable: ${error.message}`, {
        ...base,
        reason: 'connection',
      });
    }
    if (error instanceof APIError && typeof error.status === 'number') {
      const status = error.status;
      const options = { ...base, status };
      const detail = error.message;
      if (status === 429) {
        // OpenAI answers 429 for an empty balance too; waiting does not fix that.
        if (error.code === 'insufficient_quota') {
          return new AiPermanentError(`OpenAI-compatible quota exhausted: ${detail}`, {
            ...options,
            reason: 'quota_exhausted',
          });
        }
        return new AiRateLimitedError(`OpenAI-compatible rate limit exceeded: ${detail}`, {
          ...options,
          retryAfterMs: parseRetryAfterMs(error.headers as Headers | undefined),
        });
      }
      if (status === 401 || status === 403) {
        return new AiCredentialsError(`OpenAI-compatible server rejected the API key: ${detail}`, options);
      }
      if (status === 404) {
        return new AiPermanentError(
          `OpenAI-compatible server does not know model "${this.identity.model}": ${detail}`,
          {
            ...options,
            reason: 'unknown_model',
          },
        );
      }
      if (status === 408 || status === 409 || status >= 500) {
        return new AiTransientError(`OpenAI-compatible server error: ${detail}`, {
          ...options,
          reason: 'server_error',
        });
      }
      return new AiPermanentError(`OpenAI-compatible server rejected the request: ${detail}`, {
        ...options,
        reason: 'bad_request',
      });
    }
    const message = error instanceof Error ? error.message : String(error);
    return new AiTransientError(`OpenAI-compatible call failed: ${message}`, {
      ...base,
      reason: 'connection',
    });
  }
}
