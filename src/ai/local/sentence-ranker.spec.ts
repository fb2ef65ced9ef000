import { describe, it, expect } from 'vitest';
import { StopwordList } from './stopword-list';
import { DEFAULT_WEIGHTS, SentenceRanker, type RankableSentence } from './sentence-ranker';
import { TermExtractor } from './term-extractor';

const terms = new TermExtractor(new StopwordList().for('en'));
const sentences = (texts: string[]): RankableSentence[] =>
  texts.map((text, index) => ({ text, terms: terms.terms(text), index, opensParagraph: true }));

describe('SentenceRanker', () => {
  const ranker = new SentenceRanker();

  it('keeps one or two sentences as they are', () => {
    expect(ranker.select(ranker.features(sentences(['Only one.']), []))).toEqual([0]);
    expect(ranker.select(ranker.features(sentences(['First one here.', 'Second one here.']), []))).toEqual([
      0, 1,
    ]);
  });

  it('prefers the lead and sentences about the title, and returns them in text order', () => {
    const doc = sentences([
      'The harbour authority approved a new ferry terminal for the island on Monday after years of debate.',
      'Ferry passengers have complained about queues and cancelled crossings for a decade.',
      'I remember the old pier well.',
      'Would anyone miss it?',
      'The weather was mild.',
      'The new ferry terminal will open in 2027 and double the number of daily crossings to the island.',
    ]);
    const chosen = ranker.select(ranker.features(doc, terms.terms('Island gets new ferry terminal')));
    expect(chosen).toContain(0);
    expect(chosen).toContain(5);
    expect(chosen).not.toContain(2);
    expect(chosen).not.toContain(3);
    expect([...chosen].sort((a, b) => a - b)).toEqual(chosen);
  });

  it('does not repeat itself', () => {
    const doc = sentences([
      'The central bank raised interest rates by half a point to curb inflation.',
      'The central bank raised interest rates by half a point, to curb inflation.',
      'Mortgage holders will pay more from next month, lenders warned.',
      'Shares in house builders fell sharply after the announcement.',
    ]);
    const chosen = ranker.select(ranker.features(doc, []));
    expect(chosen.includes(0) && chosen.includes(1)).toBe(false);
  });

  it('penalises questions, first person and very long sentences', () => {
    const [plain, question, personal, long] = ranker.features(
      sentences([
        'The museum reopened its doors to visitors after a long renovation.',
        'The museum reopened its doors to visitors after a long renovation?',
        'I think the museum reopened its doors to visitors after a long renovation.',
        `The museum reopened its doors to visitors after a long renovation ${'and then there were some of them '.repeat(12)}.`,
      ]).map((s) => ({ ...s, index: 0 })),
      [],
    );
    const score = (f: typeof plain) => ranker.score(f);
    expect(score(plain)).toBeGreaterThan(score(question));
    expect(score(plain)).toBeGreaterThan(score(personal));
    expect(score(plain)).toBeGreaterThan(score(long));
  });

  it('stays within the word budget with a third sentence', () => {
    const long = (n: number) => `Topic words ${'filler '.repeat(n)}end.`;
    const tight = new SentenceRanker({ ...DEFAULT_WEIGHTS, wordBudget: 30 });
    expect(
      tight.select(tight.features(sentences([long(12), long(12), long(12), long(12)]), [])),
    ).toHaveLength(2);
  });
});
