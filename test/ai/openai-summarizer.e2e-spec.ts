import { beforeEach, describe, expect, it } from 'vitest';
import { AiCredentialsState } from '../../src/ai/ai-credentials-state';
import {
  AiCredentialsError,
  AiInvalidOutputError,
  AiPermanentError,
  AiRateLimitedError,
  AiTransientError,
} from '../../src/ai/ai-errors';
import { OpenAiSummarizer, type OpenAiSummarizerOptions } from '../../src/ai/openai/openai-summarizer';
import { PROMPT_VERSION, SUMMARY_JSON_SCHEMA } from '../../src/ai/prompts';
import { FakeOpenAiApi } from '../fakes/fake-openai-api';
import { failure, useFakeApi } from './fake-api-suite';

const API_KEY = 'sk-test-openai';
const MODEL = 'llama3.1:8b';
const TEXT =
  'The city council approved a new bike lane network. Construction starts in spring. Local shops worry about parking.';
const GOOD = {
  summary: 'The council approved new bike lanes. Work begins in spring, and shops fear losing parking.',
  tags: ['cycling', 'city council', 'parking'],
};

describe('OpenAiSummarizer against a fake OpenAI-compatible server', () => {
  const fake = useFakeApi(new FakeOpenAiApi());
  let credentials: AiCredentialsState;
  let summarizer: OpenAiSummarizer;
  const make = (overrides: Partial<OpenAiSummarizerOptions> = {}) =>
    new OpenAiSummarizer({
      baseUrl: fake.url,
      apiKey: API_KEY,
      model: MODEL,
      timeoutMs: 500,
      maxInputTokens: 8000,
      credentials,
      ...overrides,
    });

  beforeEach(() => {
    credentials = new AiCredentialsState();
    summarizer = make();
  });

  it('summarizes with one call using a strict json_schema, the bearer key, and reports usage', async () => {
    fake.enqueue(
      FakeOpenAiApi.summary(GOOD.summary, GOOD.tags, {
        prompt_tokens: 90,
        completion_tokens: 30,
        total_tokens: 120,
      }),
    );

    const result = await summarizer.summarize({ text: TEXT, title: 'Bike lanes' });

    expect(result).toEqual({
      ...GOOD,
      usage: { inputTokens: 90, outputTokens: 30, totalTokens: 120 },
      calls: 1,
      // A local model without a price in AI_PRICES: its cost is unknown, not 0.
      costUsd: undefined,
      modelVersion: MODEL,
    });
    expect(summarizer.identity).toEqual({ provider: 'openai', model: MODEL, promptVersion: PROMPT_VERSION });
    expect(fake.calls).toHaveLength(1);
    const [call] = fake.calls;
    expect(call.method).toBe('POST');
    expect(call.path).toBe('/v1/chat/completions');
    expect(call.authorization).toBe(`Bearer ${API_KEY}`);
    expect(call.model).toBe(MODEL);
    expect(call.responseFormat).toEqual({
      type: 'json_schema',
      json_schema: { name: 'summary', strict: true, schema: SUMMARY_JSON_SCHEMA },
    });
    expect(call.messages.map((message) => message.role)).toEqual(['system', 'user']);
    expect(call.messages[0].content).toContain('JSON');
    expect(call.messages[1].content).toContain(TEXT);
    expect(call.messages[1].content).toContain('Title: Bike lanes');
    expect(call.body.stream).toBeUndefined();
    expect(credentials.snapshot()).toMatchObject({ ok: true, provider: 'openai' });
  });

  it('accepts a server that reports no usage', async () => {
    fake.enqueue(FakeOpenAiApi.withoutUsage(GOOD));

    const result = await summarizer.summarize({ text: TEXT });

    expect(result.usage).toBeUndefined();
    expect(result.calls).toBe(1);
  });

  it('repairs malformed JSON with one more call carrying the bad answer and the problem', async () => {
    fake.enqueue(
      FakeOpenAiApi.text('Sure! Here is your summary: {summary: oops'),
      FakeOpenAiApi.summary(GOOD.summary, GOOD.tags),
    );

    const result = await summarizer.summarize({ text: TEXT });

    expect(result.summary).toBe(GOOD.summary);
    expect(result.calls).toBe(2);
    expect(result.usage).toEqual({ inputTokens: 300, outputTokens: 100, totalTokens: 400 });
    expect(fake.calls).toHaveLength(2);
    const repair = fake.calls[1];
    expect(repair.messages.map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(repair.messages[2].content).toBe('Sure! Here is your summary: {summary: oops');
    expect(repair.messages[3].content).toContain('invalid JSON');
    expect(repair.responseFormat?.type).toBe('json_schema');
    expect(repair.authorization).toBe(`Bearer ${API_KEY}`);
  });

  it('fails permanently when the repaired answer is still malformed', async () => {
    fake.enqueue(FakeOpenAiApi.text('nope'), FakeOpenAiApi.text('nope again'));

    const error = await failure(summarizer.summarize({ text: TEXT }));

    expect(error).toBeInstanceOf(AiInvalidOutputError);
    expect((error as AiInvalidOutputError).message).toContain('invalid JSON');
    expect((error as AiInvalidOutputError).calls).toBe(2);
    expect(fake.calls).toHaveLength(2);
  });

  it('repairs a wrong shape, and fails saying what the model returned wrong', async () => {
    fake.enqueue(
      FakeOpenAiApi.json({ summary: 'Just one sentence.', tags: GOOD.tags }),
      FakeOpenAiApi.json({ summary: GOOD.summary, tags: ['a', 'b', 'c', 'd', 'e'] }),
    );

    const error = await failure(summarizer.summarize({ text: TEXT }));

    expect(error).toBeInstanceOf(AiInvalidOutputError);
    expect((error as AiInvalidOutputError).problems).toEqual([
      'model returned 5 distinct tags; expected 2–4',
    ]);
    expect(fake.calls[1].messages[3].content).toContain('model returned 1 sentence; expected 2–3');
  });

  it('turns 429 into a rate-limit error with the Retry-After delay, with no SDK retry', async () => {
    fake.enqueue(FakeOpenAiApi.rateLimited(7));

    const error = await failure(summarizer.summarize({ text: TEXT }));

    expect(error).toBeInstanceOf(AiRateLimitedError);
    expect(error).toMatchObject({ retryAfterMs: 7_000, status: 429, retryable: true });
    expect(fake.calls).toHaveLength(1);
  });

  it('treats 429 insufficient_quota as permanent: waiting does not refill an account', async () => {
    fake.enqueue(FakeOpenAiApi.insufficientQuota());

    const error = await failure(summarizer.summarize({ text: TEXT }));

    expect(error).toBeInstanceOf(AiPermanentError);
    expect(error).toMatchObject({ reason: 'quota_exhausted' });
  });

  it('turns a 500 into a transient error without retrying, then succeeds on the next attempt', async () => {
    fake.enqueue(FakeOpenAiApi.serverError(500));

    const error = await failure(summarizer.summarize({ text: TEXT }));

    expect(error).toBeInstanceOf(AiTransientError);
    expect(error).toMatchObject({ reason: 'server_error', status: 500 });
    expect(fake.calls).toHaveLength(1);

    await summarizer.summarize({ text: TEXT });
    expect(fake.calls).toHaveLength(2);
  });

  it('times out a hanging call as a transient error', async () => {
    fake.enqueue(FakeOpenAiApi.hang());
    const started = Date.now();

    const error = await failure(summarizer.summarize({ text: TEXT }));

    expect(error).toBeInstanceOf(AiTransientError);
    expect((error as AiTransientError).reason).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(fake.calls).toHaveLength(1);
  });

  it('reports a cancelled call as aborted', async () => {
    fake.enqueue(FakeOpenAiApi.hang());
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);

    const error = await failure(summarizer.summarize({ text: TEXT, signal: controller.signal }));

    expect(error).toBeInstanceOf(AiTransientError);
    expect((error as AiTransientError).reason).toBe('aborted');
  });

  it('reports an unreachable server as a transient connection error', async () => {
    const down = await new FakeOpenAiApi().start();
    const url = down.url;
    await down.stop();

    const error = await failure(make({ baseUrl: url }).summarize({ text: TEXT }));

    expect(error).toBeInstanceOf(AiTransientError);
    expect((error as AiTransientError).reason).toBe('connection');
  });

  it('turns 401 into a credentials error and remembers it for /health', async () => {
    const strict = await new FakeOpenAiApi({ apiKey: 'sk-right' }).start();
    try {
      const error = await failure(
        make({ baseUrl: strict.url, apiKey: 'sk-wrong' }).summarize({ text: TEXT }),
      );

      expect(error).toBeInstanceOf(AiCredentialsError);
      expect(error).toMatchObject({ reason: 'bad_credentials', status: 401, retryable: false });
      expect(credentials.snapshot()).toMatchObject({ ok: false, provider: 'openai', status: 401 });
      expect(strict.calls.map((call) => call.authorization)).toEqual(['Bearer sk-wrong']);
    } finally {
      await strict.stop();
    }
  });

  it('turns 404 into a permanent unknown-model error', async () => {
    fake.enqueue(FakeOpenAiApi.modelNotFound(MODEL));

    const error = await failure(summarizer.summarize({ text: TEXT }));

    expect(error).toBeInstanceOf(AiPermanentError);
    expect(error).toMatchObject({ reason: 'unknown_model', status: 404 });
    expect((error as Error).message).toContain(MODEL);
    expect(fake.calls).toHaveLength(1);
  });

  it('fails permanently without a repair call when the answer is content-filtered', async () => {
    fake.enqueue(FakeOpenAiApi.contentFiltered());

    const error = await failure(summarizer.summarize({ text: TEXT }));

    expect(error).toMatchObject({ reason: 'safety_block' });
    expect((error as Error).message).toContain('content_filter');
    expect(fake.calls).toHaveLength(1);
  });

  it('fails permanently when the model refuses', async () => {
    fake.enqueue(FakeOpenAiApi.refusal('I cannot summarize this.'));

    const error = await failure(summarizer.summarize({ text: TEXT }));

    expect(error).toMatchObject({ reason: 'safety_block' });
    expect((error as Error).message).toContain('I cannot summarize this.');
  });

  it('falls back to json_object once when the server rejects json_schema, and stays there', async () => {
    const old = await new FakeOpenAiApi({ rejectJsonSchema: true }).start();
    try {
      const client = make({ baseUrl: old.url });

      const first = await client.summarize({ text: TEXT });
      await client.summarize({ text: TEXT });

      expect(first.calls).toBe(1);
      expect(client.currentJsonMode).toBe('json_object');
      expect(old.calls.map((call) => call.responseFormat?.type)).toEqual([
        'json_schema',
        'json_object',
        'json_object',
      ]);
    } finally {
      await old.stop();
    }
  });

  it('drops the temperature once for models that only accept their default', async () => {
    fake.enqueue(
      FakeOpenAiApi.badRequest("Unsupported value: 'temperature' does not support 0.2 with this model."),
      FakeOpenAiApi.summary(GOOD.summary, GOOD.tags),
    );

    await summarizer.summarize({ text: TEXT });
    await summarizer.summarize({ text: TEXT });

    expect(fake.calls.map((call) => call.body.temperature)).toEqual([0.2, undefined, undefined]);
  });

  it('fails other 400s at once as a permanent bad request', async () => {
    fake.enqueue(FakeOpenAiApi.badRequest("Invalid 'messages': empty array."));

    const error = await failure(summarizer.summarize({ text: TEXT }));

    expect(error).toMatchObject({ reason: 'bad_request', status: 400, retryable: false });
    expect(fake.calls).toHaveLength(1);
  });

  it('sends a placeholder key to servers that need none', async () => {
    await make({ apiKey: undefined }).summarize({ text: TEXT });

    expect(fake.calls[0].authorization).toBe('Bearer no-key');
  });
});
