import { beforeEach, describe, expect, it } from 'vitest';
import { AiCredentialsState } from '../../src/ai/ai-credentials-state';
import {
  AiCredentialsError,
  AiInvalidOutputError,
  AiPermanentError,
  AiRateLimitedError,
  AiTransientError,
} from '../../src/ai/ai-errors';
import { GeminiSummarizer, type GeminiSummarizerOptions } from '../../src/ai/gemini/gemini-summarizer';
import { PROMPT_VERSION } from '../../src/ai/prompts';
import { FakeGeminiApi } from '../fakes/fake-gemini-api';
import { failure, useFakeApi } from './fake-api-suite';

const API_KEY = 'test-gemini-key';
const MODEL = 'gemini-2.5-flash';
const TEXT =
  'Solar panels convert sunlight into electricity. Prices fell sharply over the last decade. Many households now install them on their roofs.';
const GOOD = {
  summary: 'Solar panels turn sunlight into power. They became much cheaper over ten years.',
  tags: ['solar', 'energy', 'prices'],
};

describe('GeminiSummarizer against a fake Gemini API', () => {
  const fake = useFakeApi(new FakeGeminiApi());
  let credentials: AiCredentialsState;
  let summarizer: GeminiSummarizer;
  const make = (overrides: Partial<GeminiSummarizerOptions> = {}) =>
    new GeminiSummarizer({
      apiKey: API_KEY,
      model: MODEL,
      baseUrl: fake.url,
      timeoutMs: 500,
      maxInputTokens: 8000,
      credentials,
      ...overrides,
    });

  beforeEach(() => {
    credentials = new AiCredentialsState();
    summarizer = make();
  });

  it('summarizes with one call in JSON mode with the schema, and reports usage', async () => {
    fake.enqueue(
      FakeGeminiApi.summary(GOOD.summary, GOOD.tags, {
        promptTokenCount: 210,
        candidatesTokenCount: 35,
        totalTokenCount: 245,
      }),
    );

    const result = await summarizer.summarize({ text: TEXT, title: 'Solar power' });

    expect(result).toEqual({
      ...GOOD,
      usage: { inputTokens: 210, outputTokens: 35, totalTokens: 245 },
      calls: 1,
      // 210 × $0.30 + 35 × $2.50 per million tokens (the built-in price of gemini-2.5-flash).
      costUsd: 0.0001505,
      modelVersion: MODEL,
    });
    expect(summarizer.identity).toEqual({ provider: 'gemini', model: MODEL, promptVersion: PROMPT_VERSION });
    expect(fake.calls).toHaveLength(1);
    const [call] = fake.calls;
    expect(call.method).toBe('POST');
    expect(call.path).toBe(`/v1beta/models/${MODEL}:generateContent`);
    expect(call.model).toBe(MODEL);
    expect(call.apiKey).toBe(API_KEY);
    expect(call.responseMimeType).toBe('application/json');
    expect(call.responseSchema).toMatchObject({
      type: 'OBJECT',
      properties: { summary: { type: 'STRING' }, tags: { type: 'ARRAY', items: { type: 'STRING' } } },
      required: ['summary', 'tags'],
    });
    expect(call.systemText).toContain('JSON');
    expect(call.turns).toHaveLength(1);
    expect(call.turns[0].role).toBe('user');
    expect(call.turns[0].text).toContain(TEXT);
    expect(call.turns[0].text).toContain('Title: Solar power');
    expect(credentials.snapshot()).toMatchObject({ ok: true, provider: 'gemini' });
  });

  it('repairs malformed JSON with one more call that shows the model its answer and the problem', async () => {
    fake.enqueue(
      FakeGeminiApi.text('{"summary": "Half an answer'),
      FakeGeminiApi.summary(GOOD.summary, GOOD.tags),
    );

    const result = await summarizer.summarize({ text: TEXT });

    expect(result.summary).toBe(GOOD.summary);
    expect(result.calls).toBe(2);
    expect(result.usage).toEqual({ inputTokens: 240, outputTokens: 80, totalTokens: 320 });
    expect(fake.calls).toHaveLength(2);
    const repair = fake.calls[1];
    expect(repair.turns.map((turn) => turn.role)).toEqual(['user', 'model', 'user']);
    expect(repair.turns[1].text).toBe('{"summary": "Half an answer');
    expect(repair.turns[2].text).toContain('invalid JSON');
    expect(repair.responseMimeType).toBe('application/json');
    expect(repair.apiKey).toBe(API_KEY);
  });

  it('fails permanently when the repaired answer is still malformed, saying what was wrong', async () => {
    fake.enqueue(FakeGeminiApi.text('not json'), FakeGeminiApi.text('still not json'));

    const error = await failure(summarizer.summarize({ text: TEXT }));

    expect(error).toBeInstanceOf(AiInvalidOutputError);
    const invalid = error as AiInvalidOutputError;
    expect(invalid.reason).toBe('invalid_output');
    expect(invalid.retryable).toBe(false);
    expect(invalid.message).toContain('invalid JSON');
    expect(invalid.rawOutput).toBe('still not json');
    expect(invalid.calls).toBe(2);
    expect(invalid.usage?.totalTokens).toBe(320);
    expect(fake.calls).toHaveLength(2);
  });

  it('repairs a wrong shape, and names the problem if the repair is wrong too', async () => {
    fake.enqueue(
      FakeGeminiApi.json({ summary: GOOD.summary, tags: ['a', 'b', 'c', 'd', 'e'] }),
      FakeGeminiApi.json({ text: 'One sentence only.' }),
    );

    const error = await failure(summarizer.summarize({ text: TEXT }));

    expect(error).toBeInstanceOf(AiInvalidOutputError);
    expect((error as AiInvalidOutputError).problems).toEqual([
      'model returned no "summary" field',
      'model returned no "tags" field',
    ]);
    expect(fake.calls).toHaveLength(2);
    expect(fake.calls[1].turns[2].text).toContain('model returned 5 distinct tags; expected 2–4');
  });

  it('turns 429 RESOURCE_EXHAUSTED into a rate-limit error carrying the RetryInfo delay, with no retry', async () => {
    fake.enqueue(FakeGeminiApi.rateLimited(17));

    const error = await failure(summarizer.summarize({ text: TEXT }));

    expect(error).toBeInstanceOf(AiRateLimitedError);
    expect((error as AiRateLimitedError).retryAfterMs).toBe(17_000);
    expect((error as AiRateLimitedError).status).toBe(429);
    expect((error as AiRateLimitedError).retryable).toBe(true);
    expect(fake.calls).toHaveLength(1);
  });

  it('leaves the delay undefined when a 429 has no RetryInfo', async () => {
    fake.enqueue(FakeGeminiApi.rateLimited());

    const error = await failure(summarizer.summarize({ text: TEXT }));

    expect(error).toBeInstanceOf(AiRateLimitedError);
    expect((error as AiRateLimitedError).retryAfterMs).toBeUndefined();
  });

  it('turns a 500 into a transient error without retrying inside the SDK, and succeeds on the next attempt', async () => {
    fake.enqueue(FakeGeminiApi.serverError(500));

    const error = await failure(summarizer.summarize({ text: TEXT }));

    expect(error).toBeInstanceOf(AiTransientError);
    expect(error).toMatchObject({ reason: 'server_error', status: 500 });
    expect(fake.calls).toHaveLength(1);

    const result = await summarizer.summarize({ text: TEXT });
    expect(result.calls).toBe(1);
    expect(fake.calls).toHaveLength(2);
  });

  it('times out a hanging call as a transient error', async () => {
    fake.enqueue(FakeGeminiApi.hang());
    const started = Date.now();

    const error = await failure(summarizer.summarize({ text: TEXT }));

    expect(error).toBeInstanceOf(AiTransientError);
    expect((error as AiTransientError).reason).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(fake.calls).toHaveLength(1);
  });

  it('accepts a slow answer that arrives within the timeout', async () => {
    fake.enqueue(FakeGeminiApi.hang(150, FakeGeminiApi.summary(GOOD.summary, GOOD.tags)));

    await expect(summarizer.summarize({ text: TEXT })).resolves.toMatchObject(GOOD);
  });

  it('reports a cancelled call as aborted, not as a provider failure', async () => {
    fake.enqueue(FakeGeminiApi.hang());
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);

    const error = await failure(summarizer.summarize({ text: TEXT, signal: controller.signal }));

    expect(error).toBeInstanceOf(AiTransientError);
    expect((error as AiTransientError).reason).toBe('aborted');
  });

  it('turns 401 into a credentials error and remembers it for /health', async () => {
    fake.enqueue(FakeGeminiApi.unauthorized());

    const error = await failure(summarizer.summarize({ text: TEXT }));

    expect(error).toBeInstanceOf(AiCredentialsError);
    expect(error).toMatchObject({ reason: 'bad_credentials', status: 401, retryable: false });
    expect(credentials.snapshot()).toMatchObject({ ok: false, provider: 'gemini', status: 401 });
    expect(fake.calls).toHaveLength(1);

    await summarizer.summarize({ text: TEXT });
    expect(credentials.snapshot()).toMatchObject({ ok: true });
  });

  it("treats Gemini's 400 API_KEY_INVALID as a bad key too", async () => {
    const strict = await new FakeGeminiApi({ apiKey: 'the-right-key' }).start();
    try {
      const wrongKey = make({ apiKey: 'a-wrong-key', baseUrl: strict.url });
      const error = await failure(wrongKey.summarize({ text: TEXT }));

      expect(error).toBeInstanceOf(AiCredentialsError);
      expect((error as AiCredentialsError).status).toBe(400);
      expect((error as AiCredentialsError).message).toContain('API key not valid');
      expect(credentials.snapshot()).toMatchObject({ ok: false, status: 400 });
      expect(strict.calls.map((call) => call.apiKey)).toEqual(['a-wrong-key']);
    } finally {
      await strict.stop();
    }
  });

  it('turns 404 into a permanent unknown-model error', async () => {
    fake.enqueue(FakeGeminiApi.modelNotFound(MODEL));

    const error = await failure(summarizer.summarize({ text: TEXT }));

    expect(error).toBeInstanceOf(AiPermanentError);
    expect(error).toMatchObject({ reason: 'unknown_model', status: 404 });
    expect((error as Error).message).toContain(MODEL);
    expect(fake.calls).toHaveLength(1);
  });

  it('turns other 400s into a permanent bad-request error', async () => {
    fake.enqueue(FakeGeminiApi.badRequest('Request contains an invalid argument.'));

    const error = await failure(summarizer.summarize({ text: TEXT }));

    expect(error).toMatchObject({ reason: 'bad_request', status: 400, retryable: false });
  });

  it('fails permanently, without a repair call, when the prompt is blocked', async () => {
    fake.enqueue(FakeGeminiApi.promptBlocked('SAFETY'));

    const error = await failure(summarizer.summarize({ text: TEXT }));

    expect(error).toBeInstanceOf(AiPermanentError);
    expect(error).toMatchObject({ reason: 'safety_block' });
    expect((error as Error).message).toContain('blockReason SAFETY');
    expect(fake.calls).toHaveLength(1);
  });

  it('fails permanently when the answer is withheld with finishReason SAFETY', async () => {
    fake.enqueue(FakeGeminiApi.candidateBlocked('SAFETY'));

    const error = await failure(summarizer.summarize({ text: TEXT }));

    expect(error).toMatchObject({ reason: 'safety_block' });
    expect((error as Error).message).toContain('finishReason SAFETY');
    expect(fake.calls).toHaveLength(1);
  });

  it('cuts long inputs to the token budget before sending them', async () => {
    const small = make({ maxInputTokens: 200, credentials: undefined });
    const paragraphs = Array.from(
      { length: 40 },
      (_, i) =>
        `Paragraph ${i} begins here. It then goes on for a while with details nobody needs in a summary.`,
    );

    await small.summarize({ text: paragraphs.join('\n\n') });

    const sent = fake.calls[0].turns[0].text;
    expect(sent).toContain('Paragraph 0 begins here.');
    expect(sent).toContain('[…]');
    expect(sent.length).toBeLessThan(200 * 4 + 1000);
  });
});
