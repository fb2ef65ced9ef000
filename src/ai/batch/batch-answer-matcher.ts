import { describeType, parseModelJson, SummaryValidator, type ValidSummary } from '../summary-validator';

/** One input of a batch, as the matcher needs it. */
export interface BatchMatchInput {
  readonly id: string;
  readonly text: string;
}

/**
 * What the batched answer held for one input: a valid summary, or what was wrong. `element` is the input's own part
 * of the answer when there was exactly one, so its repair can show the model what it answered (the problems are then
 * the validator's, phrased for the model); it is absent when the answer held nothing that can be trusted to be this
 * input's (missing, ambiguous, or another input's summary).
 */
export type BatchItemOutcome =
  | { readonly ok: true; readonly value: ValidSummary }
  | { readonly ok: false; readonly problems: readonly string[]; readonly element?: Record<string, unknown> };

/** Words at least this long take part in the check that a summary is about its own document. */
const MIN_WORD_LETTERS = 5;
/** A summary sharing no distinctive word with its own document but this many with another one was mixed up. */
const MIXED_UP_MIN_WORDS = 2;

/**
 * Reads a batched answer and gives each input its own outcome. Elements are matched by `id` only, never by
 * position, so an answer out of order still lands right; an element whose id is unknown, repeated with different
 * content, or missing leaves its input without a summary (never with a neighbour's). Each element is then checked
 * with the single-summary rules ({@link SummaryValidator}), and a last check catches swapped ids: a summary that
 * shares no distinctive word with its own document but several with another document of the batch.
 */
export class BatchAnswerMatcher {
  private readonly validator = new SummaryValidator();

  /**
   * One outcome per input, in input order. `envelope`: the key the array was asked to be wrapped in; a bare array,
   * or an object whose only property is an array, is accepted too (JSON-object modes wrap arrays on their own).
   */
  match(raw: string, inputs: readonly BatchMatchInput[], envelope?: string): BatchItemOutcome[] {
    const everyone = (problem: string) => inputs.map(() => ({ ok: false as const, problems: [problem] }));
    const parsed = parseModelJson(raw);
    if (!parsed.ok) return everyone(`the batched answer was unusable: ${parsed.problem}`);
    const elements = arrayOf(parsed.value, envelope);
    if (!elements) {
      return everyone(
        `the batched answer was unusable: model returned ${describeType(parsed.value)} instead of a JSON array of {id, summary, tags}`,
      );
    }

    const known = new Set(inputs.map((input) => input.id));
    const byId = new Map<string, Record<string, unknown>[]>();
    const unknown: string[] = [];
    let anonymous = 0;
    for (const element of elements) {
      const id = idOf(element);
      if (id === undefined) anonymous++;
      else if (!known.has(id)) unknown.push(id);
      else byId.set(id, [...(byId.get(id) ?? []), element as Record<string, unknown>]);
    }
    const strays = [
      unknown.length > 0 ? `unknown id(s) ${unknown.map((id) => JSON.stringify(id)).join(', ')}` : '',
      anonymous > 0 ? `${anonymous} element(s) without an id` : '',
    ].filter(Boolean);
    const strayNote = strays.length > 0 ? ` (it held ${strays.join(' and ')})` : '';

    const outcomes: BatchItemOutcome[] = inputs.map((input) => {
      const mine = distinct(byId.get(input.id) ?? []);
      if (mine.length === 0) {
        return {
          ok: false,
          problems: [`the batched answer had no element with id ${JSON.stringify(input.id)}${strayNote}`],
        };
      }
      if (mine.length > 1) {
        return {
          ok: false,
          problems: [
            `the batched answer had ${mine.length} different elements with id ${JSON.stringify(input.id)}`,
          ],
        };
      }
      const checked = this.validator.validateValue(mine[0]);
      return checked.ok
        ? { ok: true, value: checked.value }
        : { ok: false, problems: checked.problems, element: mine[0] };
    });
    return this.rejectMixedUp(inputs, outcomes);
  }

  private rejectMixedUp(
    inputs: readonly BatchMatchInput[],
    outcomes: BatchItemOutcome[],
  ): BatchItemOutcome[] {
    const documentWords = inputs.map((input) => wordsOf(input.text));
    const seenIn = new Map<string, number>();
    for (const words of documentWords)
      for (const word of words) seenIn.set(word, (seenIn.get(word) ?? 0) + 1);
    // Only words of one document tell documents apart; words they share say nothing about which one is meant.
    const distinctive = documentWords.map(
      (words) => new Set([...words].filter((word) => seenIn.get(word) === 1)),
    );
    return outcomes.map((outcome, i) => {
      if (!outcome.ok) return outcome;
      const said = wordsOf(`${outcome.value.summary} ${outcome.value.tags.join(' ')}`);
      const overlap = (j: number) => [...said].filter((word) => distinctive[j].has(word)).length;
      if (overlap(i) > 0) return outcome;
      const other = inputs.findIndex((_, j) => j !== i && overlap(j) >= MIXED_UP_MIN_WORDS);
      if (other < 0) return outcome;
      return {
        ok: false,
        problems: [
          `the batched answer's element with id ${JSON.stringify(inputs[i].id)} summarizes another document (id ${JSON.stringify(inputs[other].id)}) of the batch`,
        ],
      };
    });
  }
}

function arrayOf(value: unknown, envelope: string | undefined): unknown[] | undefined {
  if (Array.isArray(value)) return value as unknown[];
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const wrapped = envelope === undefined ? undefined : record[envelope];
  if (Array.isArray(wrapped)) return wrapped as unknown[];
  // Another wrapper key ({"results": [...]}) is accepted only as the object's one property: `{summary, tags}` also
  // holds one array, and it is not a batch.
  const values = Object.values(record);
  return values.length === 1 && Array.isArray(values[0]) ? (values[0] as unknown[]) : undefined;
}

function idOf(element: unknown): string | undefined {
  if (typeof element !== 'object' || element === null || Array.isArray(element)) return undefined;
  const id = (element as Record<string, unknown>).id;
  if (typeof id === 'string' && id.trim() !== '') return id.trim();
  // Some models turn "3" into 3; the number still names the input unambiguously.
  return typeof id === 'number' && Number.isFinite(id) ? String(id) : undefined;
}

/** The same element repeated (some models echo an item twice) is one answer, not a conflict. */
function distinct(elements: Record<string, unknown>[]): Record<string, unknown>[] {
  const seen = new Map<string, Record<string, unknown>>();
  for (const element of elements) seen.set(JSON.stringify(element), element);
  return [...seen.values()];
}

function wordsOf(text: string): Set<string> {
  const pattern = new RegExp(`\\p{L}{${MIN_WORD_LETTERS},}`, 'gu');
  return new Set((text.toLocaleLowerCase().match(pattern) ?? []) as string[]);
}
