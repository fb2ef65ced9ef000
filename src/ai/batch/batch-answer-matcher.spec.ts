import { describe, expect, it } from 'vitest';
import { BatchAnswerMatcher, type BatchItemOutcome } from './batch-answer-matcher';

const INPUTS = [
  { id: '1', text: 'Glaciers retreated quickly across Patagonia. Hikers noticed exposed bedrock.' },
  { id: '2', text: 'Bakeries raised bread prices after flour shortages. Customers complained loudly.' },
];
const GOOD_1 = {
  id: '1',
  summary: 'Patagonian glaciers retreated quickly. Bedrock is now exposed.',
  tags: ['glaciers', 'climate'],
};
const GOOD_2 = {
  id: '2',
  summary: 'Bakeries raised bread prices. Flour shortages are the cause.',
  tags: ['bread', 'prices'],
};

const matcher = new BatchAnswerMatcher();
const match = (answer: unknown, envelope?: string) => matcher.match(JSON.stringify(answer), INPUTS, envelope);
const summaries = (outcomes: BatchItemOutcome[]) =>
  outcomes.map((outcome) => (outcome.ok ? outcome.value.summary : null));
const problems = (outcome: BatchItemOutcome) => (outcome.ok ? [] : outcome.problems).join(' | ');

describe('BatchAnswerMatcher', () => {
  it('matches elements to inputs by id, whatever their order', () => {
    expect(summaries(match([GOOD_2, GOOD_1]))).toEqual([GOOD_1.summary, GOOD_2.summary]);
  });

  it('reads the array wrapped in the envelope, or in the only array property, or bare', () => {
    expect(summaries(match({ summaries: [GOOD_1, GOOD_2] }, 'summaries'))).toEqual([
      GOOD_1.summary,
      GOOD_2.summary,
    ]);
    expect(summaries(match({ results: [GOOD_1, GOOD_2] }, 'summaries'))).toEqual([
      GOOD_1.summary,
      GOOD_2.summary,
    ]);
    expect(summaries(match([GOOD_1, GOOD_2], 'summaries'))).toEqual([GOOD_1.summary, GOOD_2.summary]);
    expect(
      summaries(matcher.match(`\`\`\`json\n${JSON.stringify([GOOD_1, GOOD_2])}\n\`\`\``, INPUTS)),
    ).toEqual([GOOD_1.summary, GOOD_2.summary]);
  });

  it('accepts a numeric id and an element repeated identically', () => {
    expect(summaries(match([{ ...GOOD_1, id: 1 }, GOOD_2, GOOD_2]))).toEqual([
      GOOD_1.summary,
      GOOD_2.summary,
    ]);
  });

  it('leaves an input without a summary when its element is missing, naming stray ids', () => {
    const [first, second] = match([GOOD_1, { ...GOOD_2, id: '7' }, { summary: 'x' }]);

    expect(first.ok).toBe(true);
    expect(second.ok).toBe(false);
    expect(problems(second)).toBe(
      'the batched answer had no element with id "2" (it held unknown id(s) "7" and 1 element(s) without an id)',
    );
    expect(second).not.toHaveProperty('element');
  });

  it('refuses an id answered twice with different content', () => {
    const [first] = match([GOOD_1, { ...GOOD_1, summary: 'Another take. Entirely different.' }, GOOD_2]);

    expect(problems(first)).toBe('the batched answer had 2 different elements with id "1"');
  });

  it('checks each element with the single-summary rules and keeps it for the repair', () => {
    const [first, second] = match([{ ...GOOD_1, tags: ['a', 'b', 'c', 'd', 'e'] }, GOOD_2]);

    expect(problems(first)).toBe('model returned 5 distinct tags; expected 2–4');
    expect(first.ok ? undefined : first.element).toEqual({ ...GOOD_1, tags: ['a', 'b', 'c', 'd', 'e'] });
    expect(second.ok).toBe(true);
  });

  it('fails every input, each with the reason, when the answer is not JSON or not an array', () => {
    const broken = matcher.match('[{"id": "1", ', INPUTS);
    expect(
      broken.every(
        (outcome) => !outcome.ok && /unusable: model returned invalid JSON/.test(problems(outcome)),
      ),
    ).toBe(true);
    const object = match({ summary: GOOD_1.summary, tags: GOOD_1.tags });
    expect(object.map(problems)).toEqual([
      'the batched answer was unusable: model returned an object instead of a JSON array of {id, summary, tags}',
      'the batched answer was unusable: model returned an object instead of a JSON array of {id, summary, tags}',
    ]);
  });

  it('catches swapped ids: a summary about another document of the batch is refused', () => {
    const outcomes = match([
      { ...GOOD_2, id: '1' },
      { ...GOOD_1, id: '2' },
    ]);

    expect(outcomes.map(problems)).toEqual([
      'the batched answer\'s element with id "1" summarizes another document (id "2") of the batch',
      'the batched answer\'s element with id "2" summarizes another document (id "1") of the batch',
    ]);
  });

  it('does not suspect a summary that shares no distinctive word with any document (e.g. a paraphrase)', () => {
    const paraphrase = {
      id: '1',
      summary: 'Ice is melting in the south. Rock can be seen.',
      tags: ['ice', 'rock'],
    };

    expect(match([paraphrase, GOOD_2]).every((outcome) => outcome.ok)).toBe(true);
  });
});
