import type { TokenUsage } from '../summarizer';

/**
 * Fractions proportional to `weights` that add up to 1 (equal shares when every weight is 0), for
 * {@link BatchShare.share}.
 */
export function sharesOf(weights: readonly number[]): number[] {
  const total = weights.reduce((sum, weight) => sum + Math.max(0, weight), 0);
  return weights.map((weight) => (total > 0 ? Math.max(0, weight) / total : 1 / weights.length));
}

/**
 * Splits a whole number into whole parts proportional to `weights` that add up to it exactly (largest remainder
 * method), so the tokens of a batch's items add up to the tokens the provider reported for the call.
 */
export function apportion(total: number, weights: readonly number[]): number[] {
  if (weights.length === 0) return [];
  const shares = sharesOf(weights);
  const exact = shares.map((share) => share * total);
  const parts = exact.map(Math.floor);
  let left = total - parts.reduce((sum, part) => sum + part, 0);
  // Ties go to the earlier item, so the split is deterministic.
  const order = exact
    .map((value, i) => ({ i, rest: value - parts[i] }))
    .sort((a, b) => b.rest - a.rest || a.i - b.i);
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) parts[order[k].i]++;
  return parts;
}

/**
 * The usage of one batched call split over its items in proportion to their input size (estimated tokens).
 * Input, output and total tokens each add up to the call's; an item's total is its input + output whenever the
 * call's total is.
 */
export function shareUsage(
  usage: TokenUsage | undefined,
  weights: readonly number[],
): Array<TokenUsage | undefined> {
  if (!usage) return weights.map(() => undefined);
  const input = apportion(usage.inputTokens, weights);
  const output = apportion(usage.outputTokens, weights);
  const consistent = usage.totalTokens === usage.inputTokens + usage.outputTokens;
  const total = consistent ? input.map((n, i) => n + output[i]) : apportion(usage.totalTokens, weights);
  return weights.map((_, i) => ({ inputTokens: input[i], outputTokens: output[i], totalTokens: total[i] }));
}
