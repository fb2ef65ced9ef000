import type { IncomingMessage } from 'node:http';
import {
  countTokens,
  fakeSummaryOf,
  FakeCallLimit,
  goodBatchItems,
  readBatchInputs,
  readSingleDocument,
  type FakeBatchInput,
  type FakeBatchMutation,
} from './fake-batch';
import { FakeHttpServer, parseJsonBody, requestHeader, type FakeHttpAnswer } from './fake-http-server';

/** One request the fake received, as sent (body parsed). */
export interface FakeGeminiCall {
  readonly method: string;
  readonly path: string;
  /** From the path `/v1beta/models/{model}:generateContent`. */
  readonly model: string | undefined;
  /** The `x-goog-api-key` header. */
  readonly apiKey: string | undefined;
  readonly headers: IncomingMessage['headers'];
  readonly body: GeminiRequestBody;
  /** `generationConfig.responseMimeType`, `responseSchema` and `responseJsonSchema`, for JSON-mode assertions. */
  readonly responseMimeType: string | undefined;
  readonly responseSchema: unknown;
  readonly responseJsonSchema: unknown;
  /** All text of the system instruction. */
  readonly systemText: string;
  /** Texts of `contents`, in order (user and model turns); a repair call has three. */
  readonly turns: ReadonlyArray<{ role: string; text: string }>;
  /** `Date.now()` when the request arrived (rate-limit tests). */
  readonly receivedAt: number;
  /** The inputs of a batched call (the JSON array of its user content); undefined for a single call. */
  readonly batch: readonly FakeBatchInput[] | undefined;
  /** The ids of a batched call's inputs, in the order sent. */
  readonly ids: readonly string[] | undefined;
  /** True when the fake's calls-per-window limit answered this call with a 429. */
  readonly rateLimited: boolean;
}

export interface FakeGeminiOptions {
  /** When set, any other `x-goog-api-key` gets Gemini's 400 API_KEY_INVALID (as the real API answers). */
  readonly apiKey?: string;
  /**
   * Usage of answers that script none: `fixed` (default) reports {@link DEFAULT_USAGE} on every answer, which keeps
   * assertions simple; `estimated` counts the whole prompt (instructions, schema, framing) and the answer the way
   * the service estimates tokens, so batching shows its real saving.
   */
  readonly usage?: 'fixed' | 'estimated';
  /** Accept at most `calls` calls per `perMs`; the others get a 429 with a RetryInfo for when a slot frees up. */
  readonly rateLimit?: { readonly calls: number; readonly perMs: number };
  /** The `modelVersion` answers report; default: the model of the request path. */
  readonly modelVersion?: string;
}

export interface GeminiRequestBody {
  contents?: Array<{ role?: string; parts?: Array<{ text?: string }> }>;
  systemInstruction?: { parts?: Array<{ text?: string }> };
  generationConfig?: Record<string, unknown> & {
    responseMimeType?: string;
    responseSchema?: unknown;
    responseJsonSchema?: unknown;
  };
  [key: string]: unknown;
}

export interface FakeUsage {
  readonly promptTokenCount: number;
  readonly candidatesTokenCount: number;
  readonly totalTokenCount: number;
}

/** A scripted answer; build them with the static helpers of {@link FakeGeminiApi}. */
export type FakeGeminiReply =
  | {
      readonly kind: 'text';
      readonly text: string;
      readonly finishReason?: string;
      readonly usage?: FakeUsage;
    }
  | { readonly kind: 'promptBlocked'; readonly blockReason: string }
  | { readonly kind: 'http'; readonly answer: FakeHttpAnswer }
  | { readonly kind: 'hang'; readonly ms: number; readonly then?: FakeGeminiReply }
  /** What a well-behaved model answers to this request: a summary of its document, or one element per input. */
  | { readonly kind: 'auto'; readonly usage?: FakeUsage }
  /** A batched answer built from the good one (see `BatchAnswers` in fake-batch.ts). */
  | { readonly kind: 'batch'; readonly mutate: FakeBatchMutation; readonly usage?: FakeUsage };

export const DEFAULT_USAGE: FakeUsage = {
  promptTokenCount: 120,
  candidatesTokenCount: 40,
  totalTokenCount: 160,
};
const DEFAULT_SUMMARY = 'The fake Gemini API read the document. It answered with this fixed summary.';
const DEFAULT_TAGS = ['fake', 'gemini'];

/**
 * A fake of the Gemini REST API (`POST /v1beta/models/{model}:generateContent`) on 127.0.0.1. Point
 * `GEMINI_BASE_URL` (or `httpOptions.baseUrl`) at {@link url}. Each call takes the next scripted reply
 * ({@link enqueue}), or, when the script is empty, what a well-behaved model answers ({@link FakeGeminiApi.auto}):
 * a valid summary of the call's document, or for a batched call (a JSON array of `{id, text}` in the user content)
 * a JSON array with one valid `{id, summary, tags}` per input. Every call is recorded in {@link calls}, batched
 * ones with their inputs and ids. Other paths answer 404 and are recorded too.
 *
 * ```ts
 * const gemini = await new FakeGeminiApi().start();
 * gemini.enqueue(FakeGeminiApi.rateLimited(17), FakeGeminiApi.summary('One. Two.', ['a', 'b']));
 * // ... GEMINI_BASE_URL=gemini.url
 * expect(gemini.calls).toHaveLength(2);
 * await gemini.stop();
 * ```
 */
export class FakeGeminiApi extends FakeHttpServer {
  readonly calls: FakeGeminiCall[] = [];
  private readonly script: FakeGeminiReply[] = [];
  private readonly limit: FakeCallLimit | undefined;

  constructor(private readonly options: FakeGeminiOptions = {}) {
    super();
    this.limit = options.rateLimit && new FakeCallLimit(options.rateLimit.calls, options.rateLimit.perMs);
  }

  /** Calls that were batched (one per batch, whatever its size). */
  get batchCalls(): FakeGeminiCall[] {
    return this.calls.filter((call) => call.batch !== undefined);
  }

  /** The base URL for the SDK (`GEMINI_BASE_URL`). */
  get url(): string {
    return this.origin;
  }

  /** Replies for the next calls, in order. */
  enqueue(...replies: FakeGeminiReply[]): this {
    this.script.push(...replies);
    return this;
  }

  /** Forgets calls, the remaining script and the rate-limit window (between tests). */
  reset(): this {
    this.calls.length = 0;
    this.script.length = 0;
    this.limit?.reset();
    return this;
  }

  // --- reply builders ---

  /** A valid answer: the model's JSON text `{summary, tags}`. */
  static summary(
    summary: string = DEFAULT_SUMMARY,
    tags: string[] = DEFAULT_TAGS,
    usage?: FakeUsage,
  ): FakeGeminiReply {
    return { kind: 'text', text: JSON.stringify({ summary, tags }), usage };
  }

  /** Any model text (malformed JSON, wrong shape); the HTTP answer itself is a successful 200. */
  static text(text: string, finishReason = 'STOP', usage?: FakeUsage): FakeGeminiReply {
    return { kind: 'text', text, finishReason, usage };
  }

  /** Any JSON value as the model's answer (wrong shapes: `{summary: 1}`, 5 tags, ...). */
  static json(value: unknown, usage?: FakeUsage): FakeGeminiReply {
    return { kind: 'text', text: JSON.stringify(value), usage };
  }

  /** 429 RESOURCE_EXHAUSTED with a `google.rpc.RetryInfo` detail (`retryDelay: "<seconds>s"`), or none. */
  static rateLimited(retryDelaySeconds?: number): FakeGeminiReply {
    const details: unknown[] = [
      {
        '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
        violations: [
          { quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests' },
        ],
      },
    ];
    if (retryDelaySeconds !== undefined) {
      details.push({
        '@type': 'type.googleapis.com/google.rpc.RetryInfo',
        retryDelay: `${retryDelaySeconds}s`,
      });
    }
    return FakeGeminiApi.error(429, 'RESOURCE_EXHAUSTED', 'You exceeded your current quota.', details);
  }

  static serverError(status = 500): FakeGeminiReply {
    const grpc = status === 503 ? 'UNAVAILABLE' : 'INTERNAL';
    return FakeGeminiApi.error(status, grpc, 'An internal error has occurred.');
  }

  /** 401 UNAUTHENTICATED. */
  static unauthorized(): FakeGeminiReply {
    return FakeGeminiApi.error(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.');
  }

  /** What the real API answers for a wrong key: 400 INVALID_ARGUMENT with ErrorInfo reason API_KEY_INVALID. */
  static invalidApiKey(): FakeGeminiReply {
    return FakeGeminiApi.error(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'API_KEY_INVALID',
        domain: 'googleapis.com',
      },
    ]);
  }

  static modelNotFound(model = 'the model'): FakeGeminiReply {
    return FakeGeminiApi.error(
      404,
      'NOT_FOUND',
      `models/${model} is not found for API version v1beta, or is not supported for generateContent.`,
    );
  }

  static badRequest(message = 'Invalid JSON payload received.'): FakeGeminiReply {
    return FakeGeminiApi.error(400, 'INVALID_ARGUMENT', message);
  }

  /** The prompt itself was blocked: 200 with `promptFeedback.blockReason` and no candidates. */
  static promptBlocked(blockReason = 'SAFETY'): FakeGeminiReply {
    return { kind: 'promptBlocked', blockReason };
  }

  /** The answer was withheld: 200 with a candidate whose `finishReason` is SAFETY (or another block reason). */
  static candidateBlocked(finishReason = 'SAFETY'): FakeGeminiReply {
    return { kind: 'text', text: '', finishReason };
  }

  /** Answers only after `ms` (default: never, until `stop()`), with `then` (default: the default reply). */
  static hang(ms = Infinity, then?: FakeGeminiReply): FakeGeminiReply {
    return { kind: 'hang', ms, then };
  }

  /** What a well-behaved model answers to the call (the default reply). */
  static auto(usage?: FakeUsage): FakeGeminiReply {
    return { kind: 'auto', usage };
  }

  /** A batched answer: the good one changed by `mutate` (`BatchAnswers.tooFew()`, `.notArray()`…). */
  static batch(mutate: FakeBatchMutation, usage?: FakeUsage): FakeGeminiReply {
    return { kind: 'batch', mutate, usage };
  }

  /** Google's error body: `{error: {code, message, status, details}}`. */
  static error(
    status: number,
    grpcStatus: string,
    message: string,
    details: unknown[] = [],
  ): FakeGeminiReply {
    return {
      kind: 'http',
      answer: { status, body: { error: { code: status, message, status: grpcStatus, details } } },
    };
  }

  protected answer(request: IncomingMessage, rawBody: string): FakeHttpAnswer {
    const path = request.url ?? '';
    const match = /^\/v1beta\/models\/([^/:?]+):generateContent(?:\?.*)?$/.exec(path);
    const body = parseJsonBody<GeminiRequestBody>(rawBody);
    const apiKey = requestHeader(request, 'x-goog-api-key');
    const generationConfig = body.generationConfig ?? {};
    const turns = (body.contents ?? []).map((content) => ({
      role: content.role ?? 'user',
      text: (content.parts ?? []).map((part) => part.text ?? '').join(''),
    }));
    const batch = turns.length === 1 ? readBatchInputs(turns[0].text) : undefined;
    const waitMs = match && request.method === 'POST' ? (this.limit?.take() ?? 0) : 0;
    const call: FakeGeminiCall = {
      method: request.method ?? '',
      path,
      model: match ? decodeURIComponent(match[1]) : undefined,
      apiKey,
      headers: request.headers,
      body,
      responseMimeType: generationConfig.responseMimeType,
      responseSchema: generationConfig.responseSchema,
      responseJsonSchema: generationConfig.responseJsonSchema,
      systemText: (body.systemInstruction?.parts ?? []).map((part) => part.text ?? '').join(''),
      turns,
      receivedAt: Date.now(),
      batch,
      ids: batch?.map((input) => input.id),
      rateLimited: waitMs > 0,
    };
    this.calls.push(call);
    if (request.method !== 'POST' || !match) {
      return {
        status: 404,
        body: {
          error: { code: 404, message: `No route for ${request.method} ${path}`, status: 'NOT_FOUND' },
        },
      };
    }
    if (this.options.apiKey !== undefined && apiKey !== this.options.apiKey) {
      return this.render(FakeGeminiApi.invalidApiKey(), call);
    }
    if (waitMs > 0) return this.render(FakeGeminiApi.rateLimited(Math.ceil(waitMs / 1000)), call);
    return this.render(this.script.shift() ?? FakeGeminiApi.auto(), call);
  }

  private render(reply: FakeGeminiReply, call: FakeGeminiCall): FakeHttpAnswer {
    switch (reply.kind) {
      case 'hang':
        return { ...this.render(reply.then ?? FakeGeminiApi.auto(), call), delayMs: reply.ms };
      case 'auto':
        if (call.batch)
          return this.render(
            FakeGeminiApi.batch((items) => ({ items: [...items] }), reply.usage),
            call,
          );
        return this.withUsage(
          jsonText(fakeSummaryOf(readSingleDocument(call.turns[0]?.text ?? '')), reply.usage),
          call,
        );
      case 'batch': {
        const answer = reply.mutate(goodBatchItems(call.batch ?? []), call.batch ?? []);
        return this.withUsage(jsonText('whole' in answer ? answer.whole : answer.items, reply.usage), call);
      }
      case 'text':
        return this.withUsage(reply, call);
      default:
        return render(reply, this.modelVersionFor(call));
    }
  }

  private modelVersionFor(call: FakeGeminiCall): string {
    return this.options.modelVersion ?? call.model ?? 'fake';
  }

  /** A text reply with the usage it scripts, else the usage this fake reports (fixed or estimated). */
  private withUsage(reply: TextReply, call: FakeGeminiCall): FakeHttpAnswer {
    if (reply.usage || this.options.usage !== 'estimated') return render(reply, this.modelVersionFor(call));
    const tokens = countTokens(
      [call.systemText, ...call.turns.map((turn) => turn.text), JSON.stringify(call.responseSchema ?? '')],
      reply.text,
    );
    return render(
      {
        ...reply,
        usage: {
          promptTokenCount: tokens.prompt,
          candidatesTokenCount: tokens.answer,
          totalTokenCount: tokens.prompt + tokens.answer,
        },
      },
      this.modelVersionFor(call),
    );
  }
}

type TextReply = Extract<FakeGeminiReply, { kind: 'text' }>;

function jsonText(value: unknown, usage: FakeUsage | undefined): TextReply {
  return { kind: 'text', text: JSON.stringify(value), usage };
}

function render(reply: FakeGeminiReply, modelVersion = 'fake'): FakeHttpAnswer {
  switch (reply.kind) {
    case 'http':
      return reply.answer;
    case 'hang':
      return { ...render(reply.then ?? FakeGeminiApi.summary(), modelVersion), delayMs: reply.ms };
    case 'auto':
    case 'batch':
      throw new Error(`a '${reply.kind}' reply needs the request (FakeGeminiApi.render)`);
    case 'promptBlocked':
      return {
        status: 200,
        body: {
          promptFeedback: {
            blockReason: reply.blockReason,
            safetyRatings: [{ category: 'HARM_CATEGORY_DANGEROUS_CONTENT', probability: 'HIGH' }],
          },
          usageMetadata: { promptTokenCount: 100, totalTokenCount: 100 },
          modelVersion,
        },
      };
    case 'text': {
      const usage = reply.usage ?? DEFAULT_USAGE;
      const finishReason = reply.finishReason ?? 'STOP';
      const blocked = finishReason !== 'STOP' && finishReason !== 'MAX_TOKENS' && reply.text === '';
      return {
        status: 200,
        body: {
          candidates: [
            {
              content: blocked ? undefined : { role: 'model', parts: [{ text: reply.text }] },
              finishReason,
              index: 0,
            },
          ],
          usageMetadata: blocked
            ? { promptTokenCount: usage.promptTokenCount, totalTokenCount: usage.promptTokenCount }
            : usage,
          modelVersion,
        },
      };
    }
  }
}
