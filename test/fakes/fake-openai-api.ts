import type { IncomingMessage } from 'node:http';
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
}

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
  | { readonly kind: 'hang'; readonly ms: number; readonly then?: FakeOpenAiReply };

const DEFAULT_USAGE: FakeOpenAiUsage = { prompt_tokens: 150, completion_tokens: 50, total_tokens: 200 };
const DEFAULT_SUMMARY =
  'The fake OpenAI-compatible server read the document. It answered with this fixed summary.';
const DEFAULT_TAGS = ['fake', 'openai'];

/**
 * A fake OpenAI-compatible chat completions server (`POST /v1/chat/completions`) on 127.0.0.1. Point
 * `OPENAI_BASE_URL` at {@link url} (which ends in `/v1`). Each call takes the next scripted reply
 * ({@link enqueue}), or the default reply ({@link FakeOpenAiApi.summary} with no arguments) when the script
 * is empty. Every call is recorded in {@link calls}; other paths answer 404 and are recorded too.
 */
export class FakeOpenAiApi extends FakeHttpServer {
  readonly calls: FakeOpenAiCall[] = [];
  private readonly script: FakeOpenAiReply[] = [];

  /**
   * `apiKey`: when set, any other bearer token gets 401 invalid_api_key.
   * `rejectJsonSchema`: answer every `json_schema` request with a 400, like servers without structured outputs.
   */
  constructor(
    private readonly options: { readonly apiKey?: string; readonly rejectJsonSchema?: boolean } = {},
  ) {
    super();
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
    this.calls.push({
      method: request.method ?? '',
      path,
      authorization,
      headers: request.headers,
      body,
      model: body.model,
      responseFormat: body.response_format,
      messages: (body.messages ?? []).map((message) => ({ role: message.role, content: message.content })),
    });
    if (request.method !== 'POST' || path.split('?')[0] !== '/v1/chat/completions') {
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
    return render(this.script.shift() ?? FakeOpenAiApi.summary(), body);
  }
}

function render(reply: FakeOpenAiReply, request: OpenAiRequestBody): FakeHttpAnswer {
  switch (reply.kind) {
    case 'http':
      return reply.answer;
    case 'hang':
      return { ...render(reply.then ?? FakeOpenAiApi.summary(), request), delayMs: reply.ms };
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
