import { SentenceSplitter } from './text/sentence-splitter';
import { collapseWhitespace } from './text/whitespace';

export interface BudgetedInput {
  readonly text: string;
  readonly truncated: boolean;
  /** Estimated tokens of {@link text}. */
  readonly estimatedTokens: number;
  /** Estimated tokens of the input before cutting. */
  readonly originalTokens: number;
}

const splitter = new SentenceSplitter();

/** Stands for omitted text, so the model knows the document goes on and does not summarize a fragment as a whole. */
const OMISSION = '[…]';
/** Share of the budget the outline of the later sections may take; the rest goes to the opening, read in full. */
const OUTLINE_SHARE = 0.4;
/** A later paragraph is represented by its first sentence, at most this many tokens of it. */
const MAX_DIGEST_TOKENS = 60;

interface Block {
  readonly text: string;
  readonly heading: boolean;
}

/**
 * Cuts an input to a token budget before it is sent, so a huge page costs a bounded amount and never exceeds the
 * model's context. Keeps what matters most for a summary: the opening in full, then an outline of the rest (every
 * heading, and the first sentence of each later paragraph) while the budget allows, in document order.
 */
export class InputBudget {
  constructor(readonly maxTokens: number) {
    if (!Number.isInteger(maxTokens) || maxTokens < 1)
      throw new Error(`maxTokens must be a positive integer, got ${maxTokens}`);
  }

  /**
   * Rough token count without a tokenizer: ~4 characters per token for ASCII text, ~2 for other alphabets
   * (accents, Cyrillic, Greek), ~1 per character for CJK scripts. Errs on the high side, which is the safe side
   * for a budget.
   */
  static estimateTokens(text: string): number {
    let quarters = 0;
    for (const char of text) {
      const code = char.codePointAt(0) ?? 0;
      if (code < 0x80) quarters += 1;
      else if (isCjk(code)) quarters += 4;
      else quarters += 2;
    }
    return Math.ceil(quarters / 4);
  }

  fit(input: string): BudgetedInput {
    const originalTokens = InputBudget.estimateTokens(input);
    if (originalTokens <= this.maxTokens) {
      return { text: input, truncated: false, estimatedTokens: originalTokens, originalTokens };
    }
    const blocks = splitBlocks(input);
    const digests = blocks.map((block) => (block.heading ? block.text : firstSentence(block.text)));
    // Each kept part may need an omission marker next to it; count it up front so the result stays in budget.
    const markerCost = InputBudget.estimateTokens(`\n\n${OMISSION}\n\n`);
    const budget = Math.max(1, this.maxTokens - markerCost);

    const outlineTokens = digests.reduce(
      (sum, digest) => sum + InputBudget.estimateTokens(digest) + markerCost,
      0,
    );
    const leadBudget = budget - Math.min(outlineTokens, Math.floor(budget * OUTLINE_SHARE));

    // The opening: whole blocks while they fit, then as many whole sentences of the next block as fit.
    const parts: string[] = [];
    let used = 0;
    let next = 0;
    for (; next < blocks.length; next++) {
      const cost = InputBudget.estimateTokens(blocks[next].text) + (parts.length > 0 ? 1 : 0);
      if (used + cost > leadBudget) break;
      parts.push(blocks[next].text);
      used += cost;
    }
    if (next < blocks.length) {
      // A word-cut fragment only helps when it is all there is; otherwise whole sentences or nothing.
      const head = cutToTokens(blocks[next].text, leadBudget - used, parts.length === 0);
      if (head !== '') {
        parts.push(head);
        used += InputBudget.estimateTokens(head) + 1;
      }
      next++;
    }

    // The outline of the rest: headings first (they carry the structure), then first sentences. When a kind does
    // not fit in full, its picks are spread evenly over the document rather than crowding at the front.
    const rest = blocks.slice(next).map((block, i) => ({ index: i, block, digest: digests[next + i] }));
    const chosen = new Set<number>();
    for (const heading of [true, false]) {
      const candidates = rest.filter((item) => item.block.heading === heading);
      const costs = candidates.map((item) => InputBudget.estimateTokens(item.digest) + markerCost);
      const total = costs.reduce((sum, cost) => sum + cost, 0);
      const fitting =
        total <= budget - used
          ? candidates.length
          : Math.floor(((budget - used) / total) * candidates.length);
      for (const pick of spread(candidates.length, fitting)) {
        if (used + costs[pick] > budget) continue;
        chosen.add(candidates[pick].index);
        used += costs[pick];
      }
      for (const [i, item] of candidates.entries()) {
        if (chosen.has(item.index) || used + costs[i] > budget) continue;
        chosen.add(item.index);
        used += costs[i];
      }
    }
    let omitted = true;
    for (const item of rest) {
      if (chosen.has(item.index)) {
        if (omitted || item.digest !== item.block.text) parts.push(OMISSION);
        parts.push(item.digest);
        omitted = item.digest !== item.block.text;
      } else {
        omitted = true;
      }
    }
    if (parts[parts.length - 1] !== OMISSION) parts.push(OMISSION);

    let text = parts.filter((part, i) => !(part === OMISSION && parts[i - 1] === OMISSION)).join('\n\n');
    // The estimate is additive per character, so this only triggers for rounding at the block joins.
    if (InputBudget.estimateTokens(text) > this.maxTokens) text = cutToTokens(text, this.maxTokens);
    return { text, truncated: true, estimatedTokens: InputBudget.estimateTokens(text), originalTokens };
  }
}

/** `count` indices out of `length`, evenly spaced, first and last included. */
function spread(length: number, count: number): number[] {
  if (count <= 0 || length === 0) return [];
  if (count >= length) return Array.from({ length }, (_, i) => i);
  if (count === 1) return [0];
  return Array.from({ length: count }, (_, i) => Math.round((i * (length - 1)) / (count - 1)));
}

function isCjk(code: number): boolean {
  return (
    (code >= 0x3040 && code <= 0x30ff) || // kana
    (code >= 0x3400 && code <= 0x9fff) || // CJK ideographs
    (code >= 0xac00 && code <= 0xd7af) || // Hangul
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0x20000 && code <= 0x2fa1f)
  );
}

function splitBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  for (const paragraph of text.split(/\n\s*\n/)) {
    // A heading line glued to its paragraph still counts as a heading of its own.
    const lines = paragraph.split('\n');
    let body: string[] = [];
    const flush = () => {
      const joined = body.join('\n').trim();
      if (joined !== '') blocks.push({ text: joined, heading: false });
      body = [];
    };
    for (const line of lines) {
      if (isHeading(line, lines.length === 1)) {
        flush();
        blocks.push({ text: line.trim(), heading: true });
      } else {
        body.push(line);
      }
    }
    flush();
  }
  return blocks;
}

function isHeading(line: string, standalone: boolean): boolean {
  const trimmed = line.trim();
  if (/^#{1,6}\s+\S/.test(trimmed)) return true;
  // Extracted web pages lose their `#`s: a short paragraph of its own without closing punctuation reads as a
  // title. Lines inside a paragraph are not judged this way: hard-wrapped prose would look like headings.
  return (
    standalone &&
    trimmed.length > 0 &&
    trimmed.length <= 80 &&
    /^\p{Lu}/u.test(trimmed) &&
    !/[.!?,;:…"'”)]$/u.test(trimmed)
  );
}

function firstSentence(text: string): string {
  return cutToTokens(splitter.sentences(text)[0] ?? collapseWhitespace(text), MAX_DIGEST_TOKENS);
}

/**
 * The longest prefix within the budget, ending at a sentence end when one is near, else (when allowed) at a word
 * boundary.
 */
function cutToTokens(text: string, maxTokens: number, wordCut = true): string {
  if (maxTokens <= 0) return '';
  if (InputBudget.estimateTokens(text) <= maxTokens) return text;
  let low = 0;
  let high = text.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (InputBudget.estimateTokens(text.slice(0, mid)) <= maxTokens) low = mid;
    else high = mid - 1;
  }
  const prefix = text.slice(0, low);
  // The prefix ends mid-sentence: its last complete sentence ends where the last (partial) one starts.
  const ends = splitter.sentenceEnds(prefix);
  const sentenceEnd = ends.length > 1 ? ends[ends.length - 2] : -1;
  if (sentenceEnd > prefix.length * 0.6 || (!wordCut && sentenceEnd >= 0))
    return prefix.slice(0, sentenceEnd).trimEnd();
  if (!wordCut) return '';
  const space = prefix.search(/\s\S*$/);
  return (space > prefix.length * 0.6 ? prefix.slice(0, space) : prefix).trimEnd();
}
