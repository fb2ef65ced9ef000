import { AiCredentialsState } from '../../src/ai/ai-credentials-state';
import { GeminiSummarizer } from '../../src/ai/gemini/gemini-summarizer';
import { OpenAiSummarizer } from '../../src/ai/openai/openai-summarizer';
import type { RemoteSummarizer } from '../../src/ai/remote-summarizer';
import type { FakeBatchInput, FakeBatchMutation } from '../fakes/fake-batch';
import { FakeGeminiApi } from '../fakes/fake-gemini-api';
import { FakeOpenAiApi } from '../fakes/fake-openai-api';

/** A call either fake received, in the shape the batch contract tests read. */
export interface SeenCall {
  readonly batch: readonly FakeBatchInput[] | undefined;
  readonly ids: readonly string[] | undefined;
  readonly system: string;
  /** user / assistant turns (Gemini's `model` role is reported as `assistant`). */
  readonly turns: ReadonlyArray<{ role: string; text: string }>;
  /** The batched answer's schema, read provider by provider: the ids it allows and how many elements it wants. */
  readonly batchSchema:
    { ids: unknown; minItems: unknown; maxItems: unknown; rootIsArray: boolean } | undefined;
}

/**
 * One provider's fake and summarizer behind the same small interface, so every batch contract test runs against
 * both the fake Gemini API and the fake OpenAI-compatible server.
 */
export interface BatchHarness {
  readonly provider: 'gemini' | 'openai';
  /** A model with a built-in price, so costs can be checked. */
  readonly model: string;
  /** USD per million input / output tokens of {@link model}. */
  readonly price: { input: number; output: number };
  readonly fake: FakeGeminiApi | FakeOpenAiApi;
  readonly credentials: AiCredentialsState;
  make(overrides?: { maxInputTokens?: number; timeoutMs?: number }): RemoteSummarizer;
  calls(): SeenCall[];
  batch(mutate: FakeBatchMutation, usage?: { input: number; output: number }): void;
  text(text: string): void;
  rateLimited(seconds: number): void;
  serverError(): void;
  unauthorized(): void;
  hang(): void;
  /** The whole call blocked for safety (Gemini: prompt blocked; OpenAI: content filter). */
  blocked(): void;
}

export function geminiHarness(fake = new FakeGeminiApi()): BatchHarness {
  const credentials = new AiCredentialsState();
  const model = 'gemini-3.5-flash-lite';
  return {
    provider: 'gemini',
    model,
    price: { input: 0.3, output: 2.5 },
    fake,
    credentials,
    make: (overrides = {}) =>
      new GeminiSummarizer({
        apiKey: 'test-key',
        model,
        baseUrl: fake.url,
        timeoutMs: overrides.timeoutMs ?? 1_000,
        maxInputTokens: overrides.maxInputTokens ?? 8_000,
        credentials,
      }),
    calls: () =>
      fake.calls.map((call) => {
        const schema = call.responseSchema as Record<string, unknown> | undefined;
        const items = schema?.items as { properties?: { id?: { enum?: unknown } } } | undefined;
        return {
          batch: call.batch,
          ids: call.ids,
          system: call.systemText,
          turns: call.turns.map((turn) => ({
            role: turn.role === 'model' ? 'assistant' : turn.role,
            text: turn.text,
          })),
          batchSchema:
            schema?.type === 'ARRAY'
              ? {
                  ids: items?.properties?.id?.enum,
                  minItems: Number(schema.minItems),
                  maxItems: Number(schema.maxItems),
                  rootIsArray: true,
                }
              : undefined,
        };
      }),
    batch: (mutate, usage) =>
      fake.enqueue(
        FakeGeminiApi.batch(
          mutate,
          usage && {
            promptTokenCount: usage.input,
            candidatesTokenCount: usage.output,
            totalTokenCount: usage.input + usage.output,
          },
        ),
      ),
    text: (text) => fake.enqueue(FakeGeminiApi.text(text)),
    rateLimited: (seconds) => fake.enqueue(FakeGeminiApi.rateLimited(seconds)),
    serverError: () => fake.enqueue(FakeGeminiApi.serverError(503)),
    unauthorized: () => fake.enqueue(FakeGeminiApi.unauthorized()),
    hang: () => fake.enqueue(FakeGeminiApi.hang()),
    blocked: () => fake.enqueue(FakeGeminiApi.promptBlocked('SAFETY')),
  };
}

export function openAiHarness(fake = new FakeOpenAiApi()): BatchHarness {
  const credentials = new AiCredentialsState();
  const model = 'gpt-4o-mini';
  return {
    provider: 'openai',
    model,
    price: { input: 0.15, output: 0.6 },
    fake,
    credentials,
    make: (overrides = {}) =>
      new OpenAiSummarizer({
        baseUrl: fake.url,
        apiKey: 'sk-test',
        model,
        timeoutMs: overrides.timeoutMs ?? 1_000,
        maxInputTokens: overrides.maxInputTokens ?? 8_000,
        credentials,
      }),
    calls: () =>
      fake.calls.map((call) => {
        const schema = call.responseFormat?.json_schema?.schema as
          | {
              properties?: Record<
                string,
                { type?: string; minItems?: unknown; maxItems?: unknown; items?: unknown }
              >;
            }
          | undefined;
        const array = schema?.properties?.summaries;
        const items = array?.items as { properties?: { id?: { enum?: unknown } } } | undefined;
        return {
          batch: call.batch,
          ids: call.ids,
          system: call.messages.find((message) => message.role === 'system')?.content ?? '',
          turns: call.messages
            .filter((message) => message.role !== 'system')
            .map((m) => ({ role: m.role, text: m.content })),
          batchSchema:
            array?.type === 'array'
              ? {
                  ids: items?.properties?.id?.enum,
                  minItems: array.minItems,
                  maxItems: array.maxItems,
                  rootIsArray: false,
                }
              : undefined,
        };
      }),
    batch: (mutate, usage) =>
      fake.enqueue(
        FakeOpenAiApi.batch(
          mutate,
          usage && {
            prompt_tokens: usage.input,
            completion_tokens: usage.output,
            total_tokens: usage.input + usage.output,
          },
        ),
      ),
    text: (text) => fake.enqueue(FakeOpenAiApi.text(text)),
    rateLimited: (seconds) => fake.enqueue(FakeOpenAiApi.rateLimited(seconds)),
    serverError: () => fake.enqueue(FakeOpenAiApi.serverError(503)),
    unauthorized: () => fake.enqueue(FakeOpenAiApi.unauthorized()),
    hang: () => fake.enqueue(FakeOpenAiApi.hang()),
    blocked: () => fake.enqueue(FakeOpenAiApi.contentFiltered()),
  };
}
