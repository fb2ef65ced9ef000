import { describe, expect, it } from 'vitest';
import type { AiCallEnd, AiCallObserver, AiCallStart } from '../../src/ai/ai-call-observer';
import { GeminiSummarizer } from '../../src/ai/gemini/gemini-summarizer';
import { OpenAiSummarizer } from '../../src/ai/openai/openai-summarizer';
import { BatchAnswers } from '../fakes/fake-batch';
import { FakeGeminiApi } from '../fakes/fake-gemini-api';
import { FakeOpenAiApi } from '../fakes/fake-openai-api';
import { failure, useFakeApi } from './fake-api-suite';

const text = (n: number) =>
  `Report ${n} covers the harbour works. The quay was extended by forty metres. Ships can now dock at low tide.`;

/** Records every call the summarizer reports: what started it and how it ended. */
class RecordingObserver implements AiCallObserver {
  readonly calls: Array<AiCallStart & { end?: AiCallEnd }> = [];

  start(call: AiCallStart) {
    const record: AiCallStart & { end?: AiCallEnd } = { ...call };
    this.calls.push(record);
    return {
      end: (result: AiCallEnd) => {
        if (record.end) throw new Error('a call was ended twice');
        record.end = result;
      },
    };
  }

  /** purpose, inputs, outcome and tokens of each call, in order. */
  summary() {
    return this.calls.map((call) => ({
      purpose: call.purpose,
      inputs: call.inputs,
      outcome: call.end?.outcome,
      input: call.end?.usage?.inputTokens,
    }));
  }
}

describe('the AI call observer port: one report per HTTP call, with its outcome and reported tokens', () => {
  const gemini = useFakeApi(new FakeGeminiApi());
  const observed = (observer: AiCallObserver) =>
    new GeminiSummarizer({
      apiKey: 'k',
      model: 'gemini-x',
      baseUrl: gemini.url,
      timeoutMs: 2_000,
      maxInputTokens: 8_000,
      observer,
    });

  it('reports a valid answer as success, an invalid one and its repair as two calls', async () => {
    const observer = new RecordingObserver();
    gemini.enqueue(FakeGeminiApi.text('{"summary": 1}'), FakeGeminiApi.auto());
    await observed(observer).summarize({ text: text(1) });
    expect(observer.summary()).toEqual([
      { purpose: 'summarize', inputs: 1, outcome: 'invalid_output', input: 120 },
      { purpose: 'repair', inputs: 1, outcome: 'success', input: 120 },
    ]);
    expect(observer.calls[0]).toMatchObject({ provider: 'gemini', model: 'gemini-x' });
    expect(observer.calls[1].end?.responseModel).toBe('gemini-x');
    expect(gemini.calls).toHaveLength(2);
  });

  it('reports failed calls by the class of their error', async () => {
    const observer = new RecordingObserver();
    const summarizer = observed(observer);
    gemini.enqueue(FakeGeminiApi.rateLimited(3), FakeGeminiApi.serverError(503), FakeGeminiApi.badRequest());
    for (let i = 0; i < 3; i++) await failure(summarizer.summarize({ text: text(i) }));
    gemini.enqueue(FakeGeminiApi.promptBlocked());
    await failure(summarizer.summarize({ text: text(9) }));
    expect(observer.calls.map((call) => call.end?.outcome)).toEqual([
      'rate_limited',
      'transient_error',
      'permanent_error',
      'permanent_error',
    ]);
    expect(observer.calls.slice(0, 3).every((call) => call.end?.error instanceof Error)).toBe(true);
  });

  it('reports a batched call once, with the tokens of the whole call, and each repair call of its items', async () => {
    const observer = new RecordingObserver();
    const summarizer = observed(observer);
    gemini.enqueue(FakeGeminiApi.batch(BatchAnswers.good()));
    await summarizer.summarizeBatch([1, 2, 3].map((n) => ({ text: text(n) })));
    // One input's part of the answer is unusable: the batch call is `invalid_output`, and its repair is one more.
    gemini.enqueue(FakeGeminiApi.batch(BatchAnswers.tooFew(1)), FakeGeminiApi.auto());
    await summarizer.summarizeBatch([4, 5].map((n) => ({ text: text(n) })));
    expect(observer.summary()).toEqual([
      { purpose: 'batch', inputs: 3, outcome: 'success', input: 120 },
      { purpose: 'batch', inputs: 2, outcome: 'invalid_output', input: 120 },
      { purpose: 'repair', inputs: 1, outcome: 'success', input: 120 },
    ]);
    expect(gemini.calls).toHaveLength(observer.calls.length);
  });
});

describe('the AI call observer with an OpenAI-compatible server', () => {
  const openai = useFakeApi(new FakeOpenAiApi());

  it('reports the call with provider openai and the usage the server reported', async () => {
    const observer = new RecordingObserver();
    await new OpenAiSummarizer({
      baseUrl: openai.url,
      model: 'm',
      timeoutMs: 2_000,
      maxInputTokens: 8_000,
      observer,
    }).summarize({ text: text(1) });
    expect(observer.calls).toHaveLength(1);
    expect(observer.calls[0]).toMatchObject({ provider: 'openai', model: 'm', purpose: 'summarize' });
    expect(observer.calls[0].end).toMatchObject({ outcome: 'success' });
    expect(observer.calls[0].end?.usage?.inputTokens).toBeGreaterThan(0);
    expect(openai.calls).toHaveLength(1);
  });
});
