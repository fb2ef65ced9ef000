import { describe, it, expect } from 'vitest';
import { KeyphraseExtractor, type KeyphraseInput } from './keyphrase-extractor';
import { SentenceSplitter } from '../text/sentence-splitter';
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
  const titleTokens =
    title && language === 'en' && !lowercased
      ? splitter.tag(title).flatMap((s) => s.tokens ?? [])
      : undefined;
  return { sentences, title, titleTokens, language, lowercased, stopwords, termCounts };
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

  it('prefers names to verbs in languages without a tagger, and keeps names apart at commas', () => {
    const text =
      'La ministra de Sanidad, Elena Ruiz, anunció un plan contra el tabaco. Elena Ruiz anunció también ' +
      'nuevas tasas. El tabaco causa miles de muertes en España. Las tasas al tabaco subirán en España.';
    const tags = extractor.extract(input(text, 'es'));
    expect(tags).toContain('Elena Ruiz');
    expect(tags).not.toContain('anunció');
    expect(tags.some((t) => t.includes('Sanidad Elena'))).toBe(false);
  });

  it('recognises a name at the start of a sentence when the text capitalises it elsewhere', () => {
    const text =
      "Le ministre de l'Économie, Bruno Le Maire, a présenté le budget. Bruno Le Maire a défendu " +
      'les économies. Le budget sera voté en décembre.';
    expect(extractor.extract(input(text, 'fr'))).toContain('Bruno Le Maire');
  });

  it('drops titles before names', () => {
    const text =
      'Oscar Pistorius will sell his house in Pretoria. Mr. Pistorius needs money for his trial. ' +
      'Mr. Pistorius denies murder. The trial of Pistorius resumes on Monday.';
    const tags = extractor.extract(input(text));
    expect(tags).toContain('Oscar Pistorius');
    expect(tags.some((t) => t.startsWith('Mr'))).toBe(false);
  });

  it('adds a third tag only for a name the title also gives', () => {
    const text =
      'Maria Santos, Jonas Berg and Lena Holt won the regional chess final. Maria Santos played white. ' +
      'Jonas Berg played black. Lena Holt, the youngest, beat Maria Santos and Jonas Berg. Lena Holt said ' +
      'chess is growing. The chess federation will host the next chess final. The chess club has new members.';
    const withNames = extractor.extract(
      input(text, 'en', 'Maria Santos, Jonas Berg and Lena Holt win chess final'),
    );
    expect(withNames).toHaveLength(3);
    expect(withNames).toEqual(expect.arrayContaining(['Maria Santos', 'Jonas Berg', 'Lena Holt']));
    const plain = extractor.extract(input(text, 'en', 'Maria Santos and Jonas Berg win'));
    expect(plain).toHaveLength(2);
  });
});
