import { describe, expect, it } from 'vitest';
import {
  AiCredentialsError,
  AiInvalidOutputError,
  AiPermanentError,
  AiRateLimitedError,
  AiTransientError,
} from '../../src/ai/ai-errors';
import type { BatchItemResult } from '../../src/ai/batch/batch-summarizer';
import { buildSummaryPrompt } from '../../src/ai/prompts';
import type { Summary } from '../../src/ai/summarizer';
import { BatchAnswers, fakeSummaryOf } from '../fakes/fake-batch';
import { FakeOpenAiApi } from '../fakes/fake-openai-api';
import { geminiHarness, openAiHarness, type BatchHarness } from './batch-harness';
import { useFakeApi } from './fake-api-suite';

/** Short documents whose long words differ, so a summary can be told apart from a neighbour's. */
const DOCS = [
  'Volcanic eruption forced villagers near Hekla to evacuate overnight. Scientists measured rising magma pressure. Roads reopened by Friday.',
  'Orchestra musicians rehearsed Beethoven symphonies inside the restored cathedral. Tickets vanished quickly. The conductor praised its acoustics.',
  'Farmers harvested record pumpkin crops despite drought warnings. Irrigation cooperatives shared reservoirs. Market prices dropped slightly.',
  'Engineers tested driverless trolleys along harbour tracks. Dockworkers watched cautiously. Regulators expect licensing decisions soon.',
];
const requests = (count = 3) => DOCS.slice(0, count).map((text) => ({ text }));

/** The summary a well-behaved fake gives document `i`: proof an item got its own input's answer. */
const own = (i: number) => fakeSummaryOf(DOCS[i]).summary;

function summaryOf(result: BatchItemResult): Summary {
  if (!result.ok) throw new Error(`expected a summary, got ${result.error.name}: ${result.error.message}`);
  return result.summary;
}

function errorOf(result: BatchItemResult): Error {
  if (result.ok)
    throw new Error(`expected an error, got the summary ${JSON.stringify(result.summary.summary)}`);
  return result.error;
}

const totalCalls = (results: BatchItemResult[]) =>
  results.reduce((sum, result) => sum + ((result.ok ? result.summary.calls : result.error.calls) ?? 0), 0);

describe.each([
  ['Gemini', geminiHarness],
  ['OpenAI-compatible', openAiHarness],
])('batched summaries against the fake %s API', (_name, harnessOf: () => BatchHarness) => {
  const h = harnessOf();
  useFakeApi(h.fake);

  it('summarizes N inputs with one call: the JSON array wire format, the schema with their ids, each its own summary', async () => {
    const results = await h.make().summarizeBatch(requests(3));

    const calls = h.calls();
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call.ids).toEqual(['1', '2', '3']);
    expect(call.batch?.map((input) => input.text)).toEqual(DOCS.slice(0, 3));
    expect(call.turns).toHaveLength(1);
    // The user content: a lead line, then one JSON array of {id, text}.
    const array = call.turns[0].text.slice(call.turns[0].text.indexOf('\n['));
    expect(JSON.parse(array)).toEqual(DOCS.slice(0, 3).map((text, i) => ({ id: String(i + 1), text })));
    expect(call.system).toMatch(/JSON array/);
    expect(call.batchSchema).toMatchObject({ ids: ['1', '2', '3'], minItems: 3, maxItems: 3 });

    expect(results.map((result) => summaryOf(result).summary)).toEqual([own(0), own(1), own(2)]);
    expect(results.map((result) => summaryOf(result).calls)).toEqual([1, 0, 0]);
    expect(results.map((result) => summaryOf(result).batch?.size)).toEqual([3, 3, 3]);
    expect(results.map((result) => summaryOf(result).modelVersion)).toEqual([h.model, h.model, h.model]);
  });

  it('attributes the call’s tokens to the items in proportion to their input, and prices each share', async () => {
    // 400, 800 and 1,200 ASCII characters: 100, 200 and 300 estimated tokens, so shares of 1/6, 2/6 and 3/6.
    const sized = [400, 800, 1200].map((length, i) => ({ text: `${DOCS[i]} `.repeat(20).slice(0, length) }));
    h.batch(BatchAnswers.good(), { input: 1000, output: 300 });

    const results = await h.make().summarizeBatch(sized);

    const usages = results.map((result) => summaryOf(result).usage);
    // Largest remainder: 166.67 → 167, 333.33 → 333, 500; 50, 100, 150; so the totals add up exactly.
    expect(usages).toEqual([
      { inputTokens: 167, outputTokens: 50, totalTokens: 217 },
      { inputTokens: 333, outputTokens: 100, totalTokens: 433 },
      { inputTokens: 500, outputTokens: 150, totalTokens: 650 },
    ]);
    const shares = results.map((result) => summaryOf(result).batch?.share ?? NaN);
    expect(shares[0]).toBeCloseTo(1 / 6, 10);
    expect(shares[1]).toBeCloseTo(2 / 6, 10);
    expect(shares[2]).toBeCloseTo(3 / 6, 10);
    const costs = results.map((result) => summaryOf(result).costUsd ?? NaN);
    expect(costs[0]).toBeCloseTo((167 * h.price.input + 50 * h.price.output) / 1e6, 12);
    const callCost = (1000 * h.price.input + 300 * h.price.output) / 1e6;
    expect(costs.reduce((sum, cost) => sum + cost, 0)).toBeCloseTo(callCost, 12);
    expect(totalCalls(results)).toBe(1);
  });

  it('matches elements by id, so an answer out of order still gives each input its own summary', async () => {
    h.batch(BatchAnswers.outOfOrder());

    const results = await h.make().summarizeBatch(requests(4));

    expect(results.map((result) => summaryOf(result).summary)).toEqual([own(0), own(1), own(2), own(3)]);
    expect(h.calls()).toHaveLength(1);
  });

  it('ignores an extra element with an unknown id', async () => {
    h.batch(BatchAnswers.tooMany());

    const results = await h.make().summarizeBatch(requests(3));

    expect(results.map((result) => summaryOf(result).summary)).toEqual([own(0), own(1), own(2)]);
    expect(h.calls()).toHaveLength(1);
  });

  it('gives a missing item one call of its own (its document only) and the others their batch summary', async () => {
    h.batch(BatchAnswers.tooFew(1));

    const results = await h.make().summarizeBatch(requests(3));

    expect(results.map((result) => summaryOf(result).summary)).toEqual([own(0), own(1), own(2)]);
    const calls = h.calls();
    expect(calls).toHaveLength(2);
    const repair = calls[1];
    expect(repair.batch).toBeUndefined();
    expect(repair.batchSchema).toBeUndefined();
    expect(repair.turns).toEqual([
      { role: 'user', text: buildSummaryPrompt({ text: DOCS[2] }).turns[0].text },
    ]);
    expect(results.map((result) => summaryOf(result).calls)).toEqual([1, 0, 1]);
    expect(totalCalls(results)).toBe(calls.length);
  });

  it('treats an element under an unknown id as missing: never matched to an input by position', async () => {
    h.batch(BatchAnswers.unknownIds('2'));

    const results = await h.make().summarizeBatch(requests(3));

    expect(results.map((result) => summaryOf(result).summary)).toEqual([own(0), own(1), own(2)]);
    expect(h.calls()).toHaveLength(2);
    expect(h.calls()[1].turns[0].text).toContain(DOCS[1]);
  });

  it('does not trust an id answered twice with different content', async () => {
    h.batch(BatchAnswers.duplicateId('1'));

    const results = await h.make().summarizeBatch(requests(3));

    expect(results.map((result) => summaryOf(result).summary)).toEqual([own(0), own(1), own(2)]);
    expect(h.calls()).toHaveLength(2);
    expect(h.calls()[1].turns[0].text).toContain(DOCS[0]);
  });

  it('repairs an item of the wrong shape with its own repair conversation, showing it its element', async () => {
    h.batch(BatchAnswers.wrongShape('2'));

    const results = await h.make().summarizeBatch(requests(3));

    expect(results.map((result) => summaryOf(result).summary)).toEqual([own(0), own(1), own(2)]);
    const repair = h.calls()[1];
    expect(repair.turns.map((turn) => turn.role)).toEqual(['user', 'assistant', 'user']);
    expect(repair.turns[0].text).toContain(DOCS[1]);
    expect(JSON.parse(repair.turns[1].text)).toEqual({ text: DOCS[1] });
    expect(repair.turns[2].text).toContain('no "summary" field');
  });

  it('fails only the item whose repair fails too, with its own reason, and returns nothing invalid', async () => {
    h.batch(BatchAnswers.patch({ tags: ['a', 'b', 'c', 'd', 'e'] }, '2'));
    h.text('{"summary": "Still one sentence", "tags": ["x", "y"]}');

    const results = await h.make().summarizeBatch(requests(3));

    expect(summaryOf(results[0]).summary).toBe(own(0));
    expect(summaryOf(results[2]).summary).toBe(own(2));
    const error = errorOf(results[1]);
    expect(error).toBeInstanceOf(AiInvalidOutputError);
    expect(error.message).toMatch(/5 distinct tags/);
    expect(error.message).toMatch(/1 sentence/);
    expect((error as AiInvalidOutputError).calls).toBe(1);
    expect(totalCalls(results)).toBe(h.calls().length);
  });

  it('gives every input its own call when the whole answer is not an array', async () => {
    h.batch(BatchAnswers.notArray());

    const results = await h.make().summarizeBatch(requests(3));

    expect(results.map((result) => summaryOf(result).summary)).toEqual([own(0), own(1), own(2)]);
    const singles = h.calls().slice(1);
    expect(singles).toHaveLength(3);
    expect(singles.every((call) => call.batch === undefined && call.turns.length === 1)).toBe(true);
    expect(singles.map((call) => DOCS.findIndex((doc) => call.turns[0].text.includes(doc))).sort()).toEqual([
      0, 1, 2,
    ]);
    expect(totalCalls(results)).toBe(4);
  });

  it('when every item is bad and every repair fails, fails each with its own reason', async () => {
    h.batch(BatchAnswers.allBad());
    for (let i = 0; i < 3; i++) h.text('not json either');

    const results = await h.make().summarizeBatch(requests(3));

    expect(results.every((result) => !result.ok)).toBe(true);
    for (const result of results) {
      const error = errorOf(result);
      expect(error).toBeInstanceOf(AiInvalidOutputError);
      expect(error.message).toMatch(/1 sentence/);
      expect(error.message).toMatch(/invalid JSON/);
    }
    expect(h.calls()).toHaveLength(4);
    expect(totalCalls(results)).toBe(4);
  });

  it('never hands an input the summary of another: swapped answers are caught and redone alone', async () => {
    h.batch(BatchAnswers.swapped('1', '3'));

    const results = await h.make().summarizeBatch(requests(3));

    expect(results.map((result) => summaryOf(result).summary)).toEqual([own(0), own(1), own(2)]);
    expect(h.calls()).toHaveLength(3);
  });

  it('applies a 429 to every item, with the delay, after one call only', async () => {
    h.rateLimited(7);

    const results = await h.make().summarizeBatch(requests(3));

    for (const result of results) {
      expect(errorOf(result)).toBeInstanceOf(AiRateLimitedError);
      expect(errorOf(result)).toMatchObject({ retryAfterMs: 7_000, status: 429 });
    }
    expect(h.calls()).toHaveLength(1);
    expect(totalCalls(results)).toBe(1);
  });

  it('applies a server error to every item as transient', async () => {
    h.serverError();

    const results = await h.make().summarizeBatch(requests(3));

    for (const result of results)
      expect(errorOf(result)).toMatchObject({ kind: 'transient', reason: 'server_error' });
    expect(h.calls()).toHaveLength(1);
  });

  it('applies a timeout to every item as transient', async () => {
    h.hang();

    const results = await h.make({ timeoutMs: 300 }).summarizeBatch(requests(2));

    for (const result of results) {
      expect(errorOf(result)).toBeInstanceOf(AiTransientError);
      expect(errorOf(result)).toMatchObject({ reason: 'timeout' });
    }
  });

  it('applies a rejected key to every item and reports it for /health', async () => {
    h.unauthorized();

    const results = await h.make().summarizeBatch(requests(3));

    for (const result of results) expect(errorOf(result)).toBeInstanceOf(AiCredentialsError);
    expect(h.credentials.snapshot()).toMatchObject({ ok: false, provider: h.provider, status: 401 });
    await h.make().summarizeBatch(requests(2));
    expect(h.credentials.snapshot()).toMatchObject({ ok: true });
  });

  it('cancels the shared call for every item when the batch signal fires', async () => {
    h.hang();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);

    const results = await h.make().summarizeBatch(requests(3), controller.signal);

    for (const result of results) expect(errorOf(result)).toMatchObject({ reason: 'aborted' });
    expect(totalCalls(results)).toBe(1);
  });

  it('after a safety block of the whole call, gives each input its own call, so only the offending one fails', async () => {
    h.blocked();
    h.blocked();

    const results = await h.make().summarizeBatch(requests(2));

    const calls = h.calls();
    expect(calls).toHaveLength(3);
    // The second call (whichever input it carried) was blocked again; the third one was answered.
    const blockedIndex = DOCS.findIndex((doc) => calls[1].turns[0].text.includes(doc));
    const error = errorOf(results[blockedIndex]);
    expect(error).toBeInstanceOf(AiPermanentError);
    expect(error).toMatchObject({ reason: 'safety_block' });
    expect(summaryOf(results[1 - blockedIndex]).summary).toBe(own(1 - blockedIndex));
  });

  it('sends a batch of one the single way', async () => {
    const [result] = await h.make().summarizeBatch(requests(1));

    expect(summaryOf(result).summary).toBe(own(0));
    expect(summaryOf(result).batch).toBeUndefined();
    const [call] = h.calls();
    expect(call.batch).toBeUndefined();
    expect(call.batchSchema).toBeUndefined();
  });

  it('puts a title first in its element’s text, and cuts long inputs to the input budget', async () => {
    const long = Array.from({ length: 60 }, (_, i) => `Paragraph ${i} goes on about harbour cranes.`).join(
      '\n\n',
    );

    await h.make({ maxInputTokens: 200 }).summarizeBatch([{ text: DOCS[0], title: 'Hekla' }, { text: long }]);

    const [call] = h.calls();
    expect(call.batch?.[0].text).toBe(`Title: Hekla\n\n${DOCS[0]}`);
    expect(call.batch?.[1].text).toContain('[…]');
    expect(call.batch?.[1].text.length).toBeLessThan(200 * 4 + 100);
  });

  it('refuses more inputs than one call may carry', async () => {
    const summarizer = h.make();
    const tooMany = Array.from({ length: summarizer.maxBatchSize + 1 }, (_, i) => ({
      text: `Document ${i}.`,
    }));

    await expect(summarizer.summarizeBatch(tooMany)).rejects.toBeInstanceOf(RangeError);
    expect(h.calls()).toHaveLength(0);
  });
});

describe('provider-specific batch wire details', () => {
  describe('Gemini', () => {
    const h = geminiHarness();
    useFakeApi(h.fake);

    it('asks for a bare JSON array in JSON mode', async () => {
      await h.make().summarizeBatch(requests(2));

      const [call] = h.calls();
      expect(call.batchSchema?.rootIsArray).toBe(true);
      expect(call.system).toContain('Answer with one JSON array');
    });
  });

  describe('OpenAI-compatible', () => {
    const h = openAiHarness();
    useFakeApi(h.fake);

    it('asks for the array under "summaries" with a strict schema (structured outputs need an object root)', async () => {
      await h.make().summarizeBatch(requests(2));

      const fake = h.fake as FakeOpenAiApi;
      expect(fake.calls[0].responseFormat).toMatchObject({
        type: 'json_schema',
        json_schema: { name: 'summaries', strict: true, schema: { type: 'object', required: ['summaries'] } },
      });
      expect(h.calls()[0].system).toContain('{"summaries": [');
    });

    it('accepts a bare array too (JSON-object modes and looser servers)', async () => {
      (h.fake as FakeOpenAiApi).enqueue(FakeOpenAiApi.batch((items) => ({ whole: items })));

      const results = await h.make().summarizeBatch(requests(2));

      expect(results.map((result) => summaryOf(result).summary)).toEqual([own(0), own(1)]);
    });

    it('batches in json_object mode on servers without structured outputs', async () => {
      const old = await new FakeOpenAiApi({ rejectJsonSchema: true }).start();
      try {
        const summarizer = openAiHarness(old).make();
        const results = await summarizer.summarizeBatch(requests(3));

        expect(results.map((result) => summaryOf(result).summary)).toEqual([own(0), own(1), own(2)]);
        expect(old.calls.map((call) => call.responseFormat?.type)).toEqual(['json_schema', 'json_object']);
        expect(old.calls[1].ids).toEqual(['1', '2', '3']);
      } finally {
        await old.stop();
      }
    });
  });
});
