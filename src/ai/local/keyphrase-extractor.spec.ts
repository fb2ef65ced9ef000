import { describe, it, expect } from 'vitest';
import { KeyphraseExtractor, type KeyphraseInput } from './keyphrase-extractor';
import { SentenceSplitter } from './sentence-splitter';
import { StopwordList } from './stopword-list';
import { TermExtractor } from './term-extractor';
import type { LanguageCode } from './language-detector';

const splitter = new SentenceSplitter();
const lists = new StopwordList();

function input(
  text: string,
  language: LanguageCode = 'en',
  title?: string,
  lowercased = false,
): KeyphraseInput {
  const stopwords = lists.for(language);
  const terms = new TermExtractor(stopwords);
  const sentences =
    language === 'en' && !lowercased ? splitter.tag(text) : splitter.split(text, language, lowercased);
  const termCounts = new Map<string, number>();
  for (const s of sentences)
    for (const t of terms.terms(s.text)) termCounts.set(t, (termCounts.get(t) ?? 0) + 1);
  return { sentences, title, language, lowercased, stopwords, termCounts };
}

const AIRSHIPS =
  'Icelandair is testing airships for Arctic transportation. The airline says an airship can reach remote ' +
  'villages in Greenland. Icelandair will fly two airships next winter. Arctic transportation is costly, and ' +
  'airships use less fuel. Greenland officials welcomed the Icelandair plan. Critics say airships are slow.';

describe('KeyphraseExtractor', () => {
  const extractor = new KeyphraseExtractor();

  it('returns 2–4 tags: names and noun phrases in natural case, without near-duplicates', () => {
    const tags = extractor.extract(input(AIRSHIPS));
    expect(tags.length).toBeGreaterThanOrEqual(2);
    expect(tags.length).toBeLessThanOrEqual(4);
    expect(tags).toContain('Icelandair');
    expect(tags.some((t) => /^airships?$/.test(t))).toBe(true);
    expect(tags.filter((t) => /^airships?$/.test(t))).toHaveLength(1);
    expect(tags.some((t) => ['the', 'and', 'says'].includes(t.toLowerCase()))).toBe(false);
  });

  it('folds surnames into the full name', () => {
    const text =
      'Maria Santos won the regional chess final on Sunday. Santos beat the defending champion in four hours. ' +
      'Santos said the final was her hardest game. The chess federation praised Santos.';
    const tags = extractor.extract(input(text));
    expect(tags).toContain('Maria Santos');
    expect(tags).not.toContain('Santos');
  });

  it('favours phrases from the title', () => {
    const text =
      'The council met. The council discussed parking fees at length. Parking fees will rise. The council agreed.';
    expect(extractor.extract(input(text, 'en', 'Parking fees rise'))[0]).toBe('parking fees');
  });

  it('tags other languages by capitalisation and stopwords', () => {
    const text =
      'El gobierno de Chile aprobó una reforma de pensiones. La reforma de pensiones sube las cotizaciones. ' +
      'En Chile, los sindicatos apoyan la reforma. Chile espera aplicarla en marzo.';
    const tags = extractor.extract(input(text, 'es'));
    expect(tags).toContain('Chile');
    expect(tags.some((t) => t.startsWith('reforma'))).toBe(true);
  });
});
