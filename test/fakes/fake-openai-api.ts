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
export interface FakeOpenAiCall {
  readonly method: string;
  readonly path: string;
  /** The `authorization` header, e.g. `Bearer sk-test`. */
  readonly authorization: string | undefined;
  readonly headers: IncomingMessage['headers'];
  readonly body: OpenAiRequestBody;
  readonly model: string | undefined;
  /** `response_format` as sent: `{type: 'json_schema', json_schema: {name, strict, schema}}` or `{type: 'json_object'}`. */
  readonly responseFormat: OpenAiRequestBody['response_format'];
  readonly messages: ReadonlyArray<{ role: string; content: string }>;
  /** `Date.now()` when the request arrived. */
  readonly receivedAt: number;
  /** The inputs of a batched call (the JSON array of its user message); undefined for a single call. */
  readonly batch: readonly FakeBatchInput[] | undefined;
  /** The ids of a batched call's inputs, in the order sent. */
  readonly ids: readonly string[] | undefined;
  /** True when the fake's calls-per-window limit answered this call with a 429. */
  readonly rateLimited: boolean;
}

export interface FakeOpenAiOptions {
  /** When set, any other bearer token gets 401 invalid_api_key. */
  readonly apiKey?: string;
  /** Answer every `json_schema` request with a 400, like servers without structured outputs. */
  readonly rejectJsonSchema?: boolean;
  /**
   * Usage of answers that script none: `fixed` (default) reports the same counts on every answer; `estimated`
   * counts the whole prompt (messages, schema, framing) and the answer the way the service estimates tokens.
   */
  readonly usage?: 'fixed' | 'estimated';
  /** Accept at most `calls` calls per `perMs`; the others get a 429 with a `Retry-After` for when a slot frees up. */
  readonly rateLimit?: { readonly calls: number; readonly perMs: number };
}

/** The key a batched answer's array is wrapped in (an OpenAI structured output's root must be an object). */
export const FAKE_OPENAI_BATCH_ENVELOPE = 'summaries';

export interface OpenAiRequestBody {
  model?: string;
  messages?: Array<{ role: string; content: string }>;
  response_format?: { type: string; json_schema?: { name?: string; strict?: boolean; schema?: unknown } };
  [key: string]: unknown;
}

export interface FakeOpenAiUsage {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly total_tokens: number;
}

/** A scripted answer; build them with the static helpers of {@link FakeOpenAiApi}. */
export type FakeOpenAiReply =
  | {
      readonly kind: 'message';
      readonly content: string | null;
      readonly finishReason?: string;
      readonly refusal?: string;
      readonly usage?: FakeOpenAiUsage | null;
    }
  | { readonly kind: 'http'; readonly answer: FakeHttpAnswer }
  | { readonly kind: 'hang'; readonly ms: number; readonly then?: FakeOpenAiReply }
  /** What a well-behaved model answers to this request: a summary of its document, or one element per input. */
  | { readonly kind: 'auto'; readonly usage?: FakeOpenAiUsage }
  /** A batched answer built from the good one (see `BatchAnswers` in fake-batch.ts), wrapped in `{summaries: …}`. */
  | { readonly kind: 'batch'; readonly mutate: FakeBatchMutation; readonly usage?: FakeOpenAiUsage };

export const DEFAULT_USAGE: FakeOpenAiUsage = {
  prompt_tokens: 150,
  completion_tokens: 50,
  total_tokens: 200,
};
const DEFAULT_SUMMARY =
  'The fake OpenAI-compatible server read the document. It answered with this fixed summary.';
const DEFAULT_TAGS = ['fake', 'openai'];

/**
 * A fake OpenAI-compatible chat completions server (`POST /v1/chat/completions`) on 127.0.0.1. Point
 * `OPENAI_BASE_URL` at {@link url} (which ends in `/v1`). Each call takes the next scripted reply
 * ({@link enqueue}), or, when the script is empty, what a well-behaved model answers ({@link FakeOpenAiApi.auto}):
 * a valid summary of the call's document, or for a batched call (a JSON array of `{id, text}` in the user message)
 * `{"summaries": [...]}` with one valid `{id, summary, tags}` per input. Every call is recorded in {@link calls},
 * batched ones with their inputs and ids; other paths answer 404 and are recorded too.
 */
export class FakeOpenAiApi extends FakeHttpServer {
  readonly calls: FakeOpenAiCall[] = [];
  private readonly script: FakeOpenAiReply[] = [];
  private readonly limit: FakeCallLimit | undefined;

  constructor(private readonly options: FakeOpenAiOptions = {}) {
    super();
    this.limit = options.rateLimit && new FakeCallLimit(options.rateLimit.calls, options.rateLimit.perMs);
  }

  /** Calls that were batched (one per batch, whatever its size). */
  get batchCalls(): FakeOpenAiCall[] {
    return this.calls.filter((call) => call.batch !== undefined);
  }

  /** The base URL for the SDK (`OPENAI_BASE_URL`), with the `/v1` path. */
  get url(): string {
    return `${this.origin}/v1`;
  }

  enqueue(...replies: FakeOpenAiReply[]): this {
    this.script.push(...replies);
    return this;
  }

  reset(): this {
    this.calls.length = 0;
    this.script.length = 0;
    this.limit?.reset();
    return this;
  }

  // --- reply builders ---

  static summary(
    summary: string = DEFAULT_SUMMARY,
    tags: string[] = DEFAULT_TAGS,
    usage?: FakeOpenAiUsage,
  ): FakeOpenAiReply {
    return { kind: 'message', content: JSON.stringify({ summary, tags }), usage };
  }

  /** Any assistant text (malformed JSON, prose); the HTTP answer is a successful 200. */
  static text(content: string, usage?: FakeOpenAiUsage): FakeOpenAiReply {
    return { kind: 'message', content, usage };
  }

  /** Any JSON value as the assistant's answer (wrong shapes). */
  static json(value: unknown, usage?: FakeOpenAiUsage): FakeOpenAiReply {
    return { kind: 'message', content: JSON.stringify(value), usage };
  }

  /** A 200 without `usage`, as some local servers answer. */
  static withoutUsage(value: unknown): FakeOpenAiReply {
    return { kind: 'message', content: JSON.stringify(value), usage: null };
  }

  /** 429 with `Retry-After: <seconds>` (or none), OpenAI's rate_limit_exceeded body. */
  static rateLimited(retryAfterSeconds?: number): FakeOpenAiReply {
    return FakeOpenAiApi.error(
      429,
      'Rate limit reached for requests.',
      'requests',
      'rate_limit_exceeded',
      retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) },
    );
  }

  /** 429 insufficient_quota: the account has no credit left (waiting does not help). */
  static insufficientQuota(): FakeOpenAiReply {
    return FakeOpenAiApi.error(
      429,
      'You exceeded your current quota.',
      'insufficient_quota',
      'insufficient_quota',
    );
  }

  static serverError(status = 500): FakeOpenAiReply {
    return FakeOpenAiApi.error(
      status,
      'The server had an error while processing your request.',
      'server_error',
      null,
    );
  }

  static unauthorized(): FakeOpenAiReply {
    return FakeOpenAiApi.error(
      401,
      'Incorrect API key provided.',
      'invalid_request_error',
      'invalid_api_key',
    );
  }

  static modelNotFound(model = 'the model'): FakeOpenAiReply {
    return FakeOpenAiApi.error(
      404,
      `The model \`${model}\` does not exist.`,
      'invalid_request_error',
      'model_not_found',
    );
  }

  static badRequest(message = 'Invalid request.'): FakeOpenAiReply {
    return FakeOpenAiApi.error(400, message, 'invalid_request_error', null);
  }

  /** What a server without structured outputs answers to `json_schema`. */
  static jsonSchemaRejected(): FakeOpenAiReply {
    return FakeOpenAiApi.badRequest(
      "Invalid value for 'response_format.type': 'json_schema' is not supported.",
    );
  }

  /** The answer was filtered: 200 with `finish_reason: content_filter` and no content. */
  static contentFiltered(): FakeOpenAiReply {
    return { kind: 'message', content: null, finishReason: 'content_filter' };
  }

  /** The model refused (structured outputs' `message.refusal`). */
  static refusal(refusal = "I'm sorry, I can't help with that."): FakeOpenAiReply {
    return { kind: 'message', content: null, refusal };
  }

  /** Answers only after `ms` (default: never, until `stop()`), with `then` (default: the default reply). */
  static hang(ms = Infinity, then?: FakeOpenAiReply): FakeOpenAiReply {
    return { kind: 'hang', ms, then };
  }

  /** What a well-behaved model answers to the call (the default reply). */
  static auto(usage?: FakeOpenAiUsage): FakeOpenAiReply {
    return { kind: 'auto', usage };
  }

  /** A batched answer: the good one changed by `mutate` (`BatchAnswers.tooFew()`, `.notArray()`…). */
  static batch(mutate: FakeBatchMutation, usage?: FakeOpenAiUsage): FakeOpenAiReply {
    return { kind: 'batch', mutate, usage };
  }

  /** OpenAI's error body: `{error: {message, type, param, code}}`. */
  static error(
    status: number,
    message: string,
    type: string,
    code: string | null,
    headers: Record<string, string> = {},
  ): FakeOpenAiReply {
    return {
      kind: 'http',
      answer: { status, headers, body: { error: { message, type, param: null, code } } },
    };
  }

  protected answer(request: IncomingMessage, rawBody: string): FakeHttpAnswer {
    const path = request.url ?? '';
    const body = parseJsonBody<OpenAiRequestBody>(rawBody);
    const authorization = requestHeader(request, 'authorization');
    const messages = (body.messages ?? []).map((message) => ({
      role: message.role,
      content: message.content,
    }));
    const userMessages = messages.filter((message) => message.role === 'user');
    const batch = userMessages.length === 1 ? readBatchInputs(userMessages[0].content ?? '') : undefined;
    const routed = request.method === 'POST' && path.split('?')[0] === '/v1/chat/completions';
    const waitMs = routed ? (this.limit?.take() ?? 0) : 0;
    const call: FakeOpenAiCall = {
      method: request.method ?? '',
      path,
      authorization,
      headers: request.headers,
      body,
      model: body.model,
      responseFormat: body.response_format,
      messages,
      receivedAt: Date.now(),
      batch,
      ids: batch?.map((input) => input.id),
      rateLimited: waitMs > 0,
    };
    this.calls.push(call);
    if (!routed) {
      return render(
        FakeOpenAiApi.error(404, `Unknown route ${request.method} ${path}`, 'invalid_request_error', null),
        body,
      );
    }
    if (this.options.apiKey !== undefined && authorization !== `Bearer ${this.options.apiKey}`) {
      return render(FakeOpenAiApi.unauthorized(), body);
    }
    if (this.options.rejectJsonSchema && body.response_format?.type === 'json_schema') {
      return render(FakeOpenAiApi.jsonSchemaRejected(), body);
    }
    if (waitMs > 0) return render(FakeOpenAiApi.rateLimited(Math.ceil(waitMs / 1000)), body);
    return this.render(this.script.shift() ?? FakeOpenAiApi.auto(), call);
  }

  private render(reply: FakeOpenAiReply, call: FakeOpenAiCall): FakeHttpAnswer {
    switch (reply.kind) {
      case 'hang':
        return { ...this.render(reply.then ?? FakeOpenAiApi.auto(), call), delayMs: reply.ms };
      case 'auto':
        if (call.batch)
          return this.render(
            FakeOpenAiApi.batch((items) => ({ items: [...items] }), reply.usage),
            call,
          );
        return this.withUsage(
          messageOf(fakeSummaryOf(readSingleDocument(firstUserText(call))), reply.usage),
          call,
        );
      case 'batch': {
        const answer = reply.mutate(goodBatchItems(call.batch ?? []), call.batch ?? []);
        const value = 'whole' in answer ? answer.whole : { [FAKE_OPENAI_BATCH_ENVELOPE]: answer.items };
        return this.withUsage(messageOf(value, reply.usage), call);
      }
      case 'message':
        return this.withUsage(reply, call);
      default:
        return render(reply, call.body);
    }
  }

  /** A message with the usage it scripts, else the usage this fake reports (fixed or estimated). */
  private withUsage(reply: MessageReply, call: FakeOpenAiCall): FakeHttpAnswer {
    if (reply.usage !== undefined || this.options.usage !== 'estimated') return render(reply, call.body);
    const tokens = countTokens(
      [...call.messages.map((message) => message.content ?? ''), JSON.stringify(call.responseFormat ?? '')],
      reply.content ?? '',
    );
    const usage = {
      prompt_tokens: tokens.prompt,
      completion_tokens: tokens.answer,
      total_tokens: tokens.prompt + tokens.answer,
    };
    return render({ ...reply, usage }, call.body);
  }
}

type MessageReply = Extract<FakeOpenAiReply, { kind: 'message' }>;

function messageOf(value: unknown, usage: FakeOpenAiUsage | undefined): MessageReply {
  return { kind: 'message', content: JSON.stringify(value), usage };
}

/** The first user message: the one that holds the document (a repair conversation adds a second one). */
function firstUserText(call: FakeOpenAiCall): string {
  return call.messages.find((message) => message.role === 'user')?.content ?? '';
}

function render(reply: FakeOpenAiReply, request: OpenAiRequestBody): FakeHttpAnswer {
  switch (reply.kind) {
    case 'http':
      return reply.answer;
    case 'hang':
      return { ...render(reply.then ?? FakeOpenAiApi.summary(), request), delayMs: reply.ms };
    case 'auto':
    case 'batch':
      throw new Error(`a '${reply.kind}' reply needs the request (FakeOpenAiApi.render)`);
    case 'message':
      return {
        status: 200,
        body: {
          id: 'chatcmpl-fake',
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model: request.model ?? 'fake',
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: reply.content, refusal: reply.refusal ?? null },
              finish_reason: reply.finishReason ?? 'stop',
              logprobs: null,
            },
          ],
          ...(reply.usage === null ? {} : { usage: reply.usage ?? DEFAULT_USAGE }),
        },
      };
  }
}
