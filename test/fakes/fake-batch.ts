import { InputBudget } from '../../src/ai/input-budget';

/**
 * What the fake AI APIs share about batched calls: reading the wire format (the JSON array of `{id, text}` after the
 * lead line of the user content), answering it, scripting bad answers, token usage and a calls-per-window limit.
 */

/** One input of a batched call, as the fake read it from the request. */
export interface FakeBatchInput {
  readonly id: string;
  readonly text: string;
}

/** One element of a batched answer, as a well-behaved model writes it. */
export interface FakeBatchItem {
  readonly id: string;
  readonly summary: string;
  readonly tags: string[];
}

/** What a scripted batched answer becomes: an array of elements (wrapped as the provider needs), or any JSON at all. */
export type FakeBatchAnswer = { readonly items: unknown[] } | { readonly whole: unknown };

/** Turns the good answer (one valid element per input, in order) into the scripted one. */
export type FakeBatchMutation = (
  items: readonly FakeBatchItem[],
  inputs: readonly FakeBatchInput[],
) => FakeBatchAnswer;

/** Token counts the fakes report for a call. */
export interface FakeTokenCount {
  readonly prompt: number;
  readonly answer: number;
}

/**
 * The inputs of a batched call, or undefined for any other call. A batched user content is a lead line, a blank
 * line and a JSON array of `{id, text}`; a single call fences its document in `<document>` lines instead.
 */
export function readBatchInputs(userText: string): FakeBatchInput[] | undefined {
  if (userText.includes('\n<document>\n')) return undefined;
  const start = userText.indexOf('\n[');
  if (start < 0) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(userText.slice(start + 1));
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const inputs: FakeBatchInput[] = [];
  for (const element of value as unknown[]) {
    const record = element as Record<string, unknown> | null;
    if (typeof record?.id !== 'string' || typeof record.text !== 'string') return undefined;
    inputs.push({ id: record.id, text: record.text });
  }
  return inputs;
}

/** The document of a single call (between its `<document>` lines), or the whole user text. */
export function readSingleDocument(userText: string): string {
  const match = /\n<document>\n([\s\S]*)\n<\/document>/.exec(userText);
  return match ? match[1] : userText;
}

/**
 * A valid summary that names its own document: it quotes the document's first words, and every other word is
 * shorter than the words the batch mix-up check compares, so a test can tell which input an answer belongs to.
 */
export function fakeSummaryOf(text: string): { summary: string; tags: string[] } {
  const words = text.match(/[\p{L}\p{N}]+/gu) ?? [];
  const opening = words.slice(0, 12).join(' ') || 'empty';
  return { summary: `Its text is ${opening} and so on. A fake API made it.`, tags: ['fake', 'api'] };
}

/** The answer a well-behaved model gives to a batched call: one valid element per input, in order. */
export function goodBatchItems(inputs: readonly FakeBatchInput[]): FakeBatchItem[] {
  return inputs.map((input) => ({ id: input.id, ...fakeSummaryOf(input.text) }));
}

/** Scripted bad batched answers, for every way a model gets a batch wrong. */
export const BatchAnswers = {
  /** The good answer. */
  good: (): FakeBatchMutation => (items) => ({ items: [...items] }),
  /** The last `count` elements are missing. */
  tooFew:
    (count = 1): FakeBatchMutation =>
    (items) => ({ items: items.slice(0, Math.max(0, items.length - count)) }),
  /** One element more than asked, with an id no input has. */
  tooMany: (): FakeBatchMutation => (items) => ({
    items: [
      ...items,
      { id: 'extra', summary: 'An extra element. Nobody asked for it.', tags: ['extra', 'noise'] },
    ],
  }),
  /** Every element present and right, in reverse order. */
  outOfOrder: (): FakeBatchMutation => (items) => ({ items: [...items].reverse() }),
  /** The elements of `ids` come back under ids no input has. */
  unknownIds:
    (...ids: string[]): FakeBatchMutation =>
    (items) => ({
      items: items.map((item) => (ids.includes(item.id) ? { ...item, id: `x${item.id}` } : item)),
    }),
  /** The element of `id` is there twice, with different summaries. */
  duplicateId:
    (id: string): FakeBatchMutation =>
    (items) => ({
      items: [
        ...items,
        {
          id,
          summary: 'A second answer for the same id. It differs from the first.',
          tags: ['twice', 'dup'],
        },
      ],
    }),
  /** The elements of `ids` are valid JSON of the wrong shape (`{id, text}`: the input echoed back). */
  wrongShape:
    (...ids: string[]): FakeBatchMutation =>
    (items, inputs) => ({
      items: items.map((item) =>
        ids.includes(item.id)
          ? { id: item.id, text: inputs.find((input) => input.id === item.id)?.text }
          : item,
      ),
    }),
  /** The elements of `ids` get `patch` merged in (e.g. five tags). */
  patch:
    (patch: Record<string, unknown>, ...ids: string[]): FakeBatchMutation =>
    (items) => ({ items: items.map((item) => (ids.includes(item.id) ? { ...item, ...patch } : item)) }),
  /** Every element breaks the rules (one sentence, one tag). */
  allBad: (): FakeBatchMutation => (items) => ({
    items: items.map((item) => ({ id: item.id, summary: 'Too short', tags: ['one'] })),
  }),
  /** The summaries of `a` and `b` are swapped: each id carries the other input's summary. */
  swapped:
    (a: string, b: string): FakeBatchMutation =>
    (items) => {
      const byId = new Map(items.map((item) => [item.id, item]));
      const swap = (item: FakeBatchItem) => {
        const other = item.id === a ? byId.get(b) : item.id === b ? byId.get(a) : undefined;
        return other ? { ...other, id: item.id } : item;
      };
      return { items: items.map(swap) };
    },
  /** Not an array at all: one `{summary, tags}` object, as if the model summarized everything as one document. */
  notArray: (): FakeBatchMutation => () => ({
    whole: { summary: 'All the documents at once. That is not what was asked.', tags: ['all', 'wrong'] },
  }),
};

/** Tokens as a real API would count them: the whole prompt (instructions, schema, framing) and the answer. */
export function countTokens(promptParts: readonly string[], answer: string): FakeTokenCount {
  return {
    prompt: InputBudget.estimateTokens(promptParts.join('\n')),
    answer: InputBudget.estimateTokens(answer),
  };
}

/**
 * At most `calls` accepted calls in any `perMs` window (a provider's requests-per-minute quota). Rejected calls do
 * not count against it, as with the real quotas.
 */
export class FakeCallLimit {
  private readonly accepted: number[] = [];

  constructor(
    readonly calls: number,
    readonly perMs: number,
  ) {}

  /** 0 when a call may go now (and counts it), else the milliseconds until one may. */
  take(now: number = Date.now()): number {
    while (this.accepted.length > 0 && this.accepted[0] <= now - this.perMs) this.accepted.shift();
    if (this.accepted.length < this.calls) {
      this.accepted.push(now);
      return 0;
    }
    return this.accepted[0] + this.perMs - now;
  }

  reset(): void {
    this.accepted.length = 0;
  }
}
