import { parsePrices, type ModelPrice } from '../../core/config/price-list';
import type { TokenUsage } from '../summarizer';

export type { ModelPrice };

/** The date the built-in prices below were last checked against the providers' pricing pages. */
export const DEFAULT_PRICES_CHECKED = '2026-10-07';

/**
 * Built-in prices for the default models (and the previous Gemini default, so existing deployments keep a price).
 * Sources, USD per 1M input / output tokens:
 * - `gemini-3.5-flash-lite` 0.30 / 2.50 (output includes thinking tokens): ai.google.dev/gemini-api/docs/pricing and
 *   ai.google.dev/gemini-api/docs/whats-new-gemini-3.6, as published on 2026-10-07.
 * - `gemini-2.5-flash` 0.30 / 2.50: the same pricing page, same date.
 * - `gpt-4o-mini` 0.15 / 0.60: OpenAI's list price, unchanged since the model's release in 2024-07; price tables
 *   checked against OpenAI's pricing page in 2026-05 and 2026-06 still give it (that page itself no longer lists
 *   the gpt-4.x family, which stays billable).
 * Prices change: `AI_PRICES` overrides or extends these without a release.
 */
export const DEFAULT_PRICES: Readonly<Record<string, ModelPrice>> = {
  'gemini-3.5-flash-lite': { input: 0.3, output: 2.5 },
  'gemini-2.5-flash': { input: 0.3, output: 2.5 },
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
};

/** A dated snapshot of a priced model: `gpt-4o-mini-2024-07-18`, `gemini-2.0-flash-001`, `…-preview-09-2025`. */
const SNAPSHOT_SUFFIX = /^-(?:\d{4}-\d{2}-\d{2}|\d{3}|\d{2}-\d{4})$/;

/**
 * Prices per model: the built-in ones with `AI_PRICES` merged over them. A model is found by its exact name, then
 * without Gemini's `models/` prefix, then as a dated snapshot of a priced model.
 */
export class PriceTable {
  private readonly prices: ReadonlyMap<string, ModelPrice>;

  constructor(prices: Readonly<Record<string, ModelPrice>> = DEFAULT_PRICES) {
    this.prices = new Map(Object.entries(prices));
  }

  /** The built-in prices with `AI_PRICES` (JSON, see {@link parsePrices}) merged over them; throws on bad JSON. */
  static fromEnv(aiPrices: string | undefined): PriceTable {
    return new PriceTable({ ...DEFAULT_PRICES, ...parsePrices(aiPrices) });
  }

  priceOf(model: string | undefined): ModelPrice | undefined {
    if (!model) return undefined;
    const name = model.trim().replace(/^models\//, '');
    const exact = this.prices.get(name);
    if (exact) return exact;
    for (const [priced, price] of this.prices) {
      if (name.startsWith(priced) && SNAPSHOT_SUFFIX.test(name.slice(priced.length))) return price;
    }
    return undefined;
  }

  /**
   * USD for `usage` on `model`, else on the version the API reported (an alias such as `gemini-flash-lite-latest`
   * resolves to a priced id); undefined when neither is priced or no usage was reported.
   */
  costOf(model: string, usage: TokenUsage | undefined, reportedVersion?: string): number | undefined {
    const price = this.priceOf(model) ?? this.priceOf(reportedVersion);
    return price && usage ? costOfUsage(price, usage) : undefined;
  }
}

/** The table the service uses when nothing else is configured. */
export const DEFAULT_PRICE_TABLE = new PriceTable();

/**
 * Pure: USD that `usage` costs on `model` at `prices` (the built-in table by default); undefined when the model has
 * no price or no usage was reported. Rounded to 1e-12 USD so sums of shares print cleanly.
 */
export function costOf(
  model: string,
  usage: TokenUsage | undefined,
  prices: PriceTable = DEFAULT_PRICE_TABLE,
): number | undefined {
  return prices.costOf(model, usage);
}

function costOfUsage(price: ModelPrice, usage: TokenUsage): number {
  const usd = (usage.inputTokens * price.input + usage.outputTokens * price.output) / 1_000_000;
  return Math.round(usd * 1e12) / 1e12;
}
