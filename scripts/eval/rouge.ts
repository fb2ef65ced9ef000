/** ROUGE-1/2/L F1 exactly as ../shared/eval/score.py computes them (lowercased [a-z0-9]+ tokens, no stemming). */
export function rougeTokens(text: string): string[] {
  return text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
}

function f1(overlap: number, candidate: number, reference: number): number {
  if (!candidate || !reference || !overlap) return 0;
  const p = overlap / candidate;
  const r = overlap / reference;
  return (2 * p * r) / (p + r);
}

function ngrams(tokens: readonly string[], n: number): Map<string, number> {
  const out = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const key = tokens.slice(i, i + n).join(' ');
    out.set(key, (out.get(key) ?? 0) + 1);
  }
  return out;
}

function rougeN(c: readonly string[], r: readonly string[], n: number): number {
  const a = ngrams(c, n);
  const b = ngrams(r, n);
  let overlap = 0;
  let total = 0;
  for (const [k, v] of a) {
    overlap += Math.min(v, b.get(k) ?? 0);
    total += v;
  }
  let refTotal = 0;
  for (const v of b.values()) refTotal += v;
  return f1(overlap, total, refTotal);
}

function lcs(a: readonly string[], b: readonly string[]): number {
  let prev = new Array<number>(b.length + 1).fill(0);
  for (const x of a) {
    const cur = [0];
    for (let j = 0; j < b.length; j++) cur.push(x === b[j] ? prev[j] + 1 : Math.max(prev[j + 1], cur[j]));
    prev = cur;
  }
  return prev[b.length];
}

/** [ROUGE-1, ROUGE-2, ROUGE-L] F1 in [0, 1]. */
export function rouge(candidate: readonly string[], reference: readonly string[]): [number, number, number] {
  return [
    rougeN(candidate, reference, 1),
    rougeN(candidate, reference, 2),
    f1(lcs(candidate, reference), candidate.length, reference.length),
  ];
}
