import { describe, expect, it } from 'vitest';
import { parsePrices } from '../../core/config/price-list';
import { costOf, DEFAULT_PRICES, PriceTable } from './price-table';

const usage = (inputTokens: number, outputTokens: number) => ({
  inputTokens,
  outputTokens,
  totalTokens: inputTokens + outputTokens,
});

describe('costOf and PriceTable', () => {
  it('prices input and output tokens per million at the model’s list price', () => {
    // gemini-3.5-flash-lite: $0.30 in, $2.50 out per million tokens.
    expect(costOf('gemini-3.5-flash-lite', usage(1_000_000, 0))).toBe(0.3);
    expect(costOf('gemini-3.5-flash-lite', usage(0, 1_000_000))).toBe(2.5);
    expect(costOf('gpt-4o-mini', usage(2000, 500))).toBeCloseTo(0.0006, 12);
    expect(costOf('gemini-3.5-flash-lite', usage(210, 35))).toBe(0.0001505);
  });

  it('knows no price for an unknown model or missing usage: the cost is unknown, not zero', () => {
    expect(costOf('llama3.1:8b', usage(100, 100))).toBeUndefined();
    expect(costOf('gemini-3.5-flash-lite', undefined)).toBeUndefined();
  });

  it('finds a model by its models/ name, a dated snapshot, or the version the API reported', () => {
    const table = new PriceTable();
    expect(table.priceOf('models/gemini-3.5-flash-lite')).toEqual(DEFAULT_PRICES['gemini-3.5-flash-lite']);
    expect(table.priceOf('gpt-4o-mini-2024-07-18')).toEqual(DEFAULT_PRICES['gpt-4o-mini']);
    // A snapshot suffix only: another model whose name merely starts the same is not priced alike.
    expect(table.priceOf('gpt-4o-mini-tts')).toBeUndefined();
    expect(table.costOf('gemini-flash-lite-latest', usage(1_000_000, 0), 'gemini-3.5-flash-lite')).toBe(0.3);
  });

  it('merges AI_PRICES over the built-in prices', () => {
    const table = PriceTable.fromEnv(
      '{"gpt-4o-mini": {"input": 1, "output": 2}, "llama3.1:8b": {"input": 0, "output": 0}}',
    );

    expect(table.costOf('gpt-4o-mini', usage(1_000_000, 1_000_000))).toBe(3);
    expect(table.costOf('llama3.1:8b', usage(5, 5))).toBe(0);
    expect(table.priceOf('gemini-3.5-flash-lite')).toEqual(DEFAULT_PRICES['gemini-3.5-flash-lite']);
    expect(PriceTable.fromEnv('').priceOf('gpt-4o-mini')).toEqual(DEFAULT_PRICES['gpt-4o-mini']);
  });

  it('rejects AI_PRICES of the wrong shape, naming every problem', () => {
    expect(() => parsePrices('{')).toThrow(/AI_PRICES is not valid JSON/);
    expect(() => parsePrices('[1]')).toThrow(/must be a JSON object/);
    expect(() => parsePrices('{"m": 3}')).toThrow(
      'AI_PRICES["m"] must be an object {"input": number, "output": number}',
    );
    expect(() => parsePrices('{"m": {"input": -1, "ouput": 2}}')).toThrow(
      'AI_PRICES["m"] has unknown field(s) ouput; expected input, output; AI_PRICES["m"].input must be a number >= 0 (USD per million tokens), got -1; AI_PRICES["m"].output must be a number >= 0 (USD per million tokens), got undefined',
    );
    expect(() => parsePrices('{"m": {"input": "0.3", "output": 1}}')).toThrow(/input must be a number/);
    expect(parsePrices(' ')).toEqual({});
  });
});
