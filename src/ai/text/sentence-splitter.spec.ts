import { describe, it, expect } from 'vitest';
import { SentenceSplitter } from './sentence-splitter';

describe('SentenceSplitter', () => {
  const splitter = new SentenceSplitter();
  const texts = (text: string, lang: Parameters<SentenceSplitter['split']>[1], caseless = false) =>
    splitter.split(text, lang, caseless).map((s) => s.text);

  it('splits English without breaking at abbreviations', () => {
    expect(
      texts('Dr. Lane met Mr. Ortiz in Washington. They spoke for an hour. Was it enough?', 'en'),
    ).toEqual(['Dr. Lane met Mr. Ortiz in Washington.', 'They spoke for an hour.', 'Was it enough?']);
  });

  it('splits lowercased, tokenized English', () => {
    expect(
      texts('the mayor spoke on monday . she said the plan , which costs $ 5m , works .', 'en', true),
    ).toEqual(['the mayor spoke on monday .', 'she said the plan , which costs $ 5m , works .']);
  });

  it('keeps dotted abbreviations and initials inside a sentence, but ends one at an ellipsis', () => {
    expect(texts('U.S. officials met J. R. Lane at 5 p.m. on Friday. Talks went well.', 'en')).toEqual([
      'U.S. officials met J. R. Lane at 5 p.m. on Friday.',
      'Talks went well.',
    ]);
    expect(texts('They waited... Nobody came.', 'en')).toEqual(['They waited...', 'Nobody came.']);
  });

  it('splits Spanish, French and German while keeping their abbreviations', () => {
    expect(texts('El Sr. Ruiz llegó tarde. ¿Por qué? Nadie lo sabe.', 'es')).toEqual([
      'El Sr. Ruiz llegó tarde.',
      '¿Por qué?',
      'Nadie lo sabe.',
    ]);
    expect(texts('M. Dupont est arrivé hier. Il repart demain.', 'fr')).toEqual([
      'M. Dupont est arrivé hier.',
      'Il repart demain.',
    ]);
    expect(texts('Das gilt z.B. für Busse. Die Bahn folgt.', 'de')).toEqual([
      'Das gilt z.B. für Busse.',
      'Die Bahn folgt.',
    ]);
  });

  it('tags English tokens with parts of speech, sentence by sentence', () => {
    const [first, second] = splitter.tag('Icelandair is testing airships. Critics doubt it.');
    expect(first.tokens?.map((t) => t.pos)).toEqual(['PROPN', 'AUX', 'VERB', 'NOUN', 'PUNCT']);
    expect(second.text).toBe('Critics doubt it.');
  });

  it('cuts text without punctuation into bounded pieces', () => {
    const words = Array.from({ length: 200 }, (_, i) => `word${i}`).join(' ');
    const pieces = texts(words, 'en');
    expect(pieces.length).toBeGreaterThan(4);
    expect(pieces.join(' ')).toBe(words);
    for (const p of pieces) expect(p.split(' ').length).toBeLessThanOrEqual(45);
  });
});

describe('SentenceSplitter.sentences (text of unknown language, e.g. model output)', () => {
  const splitter = new SentenceSplitter();

  it('keeps English abbreviations and initials, and no other language takes ordinary words for them', () => {
    expect(
      splitter.sentences(
        'Dr. Smith of the U.S. Army said growth was 3.5 percent, e.g. in exports. He agreed.',
      ),
    ).toEqual(['Dr. Smith of the U.S. Army said growth was 3.5 percent, e.g. in exports.', 'He agreed.']);
    expect(splitter.sentences('It went on and on. Then it stopped.')).toHaveLength(2);
  });

  it('gives the offsets where sentences end, for cutting text at them', () => {
    const text = 'First one. Second one. Third';
    expect(splitter.sentenceEnds(text).map((end) => text.slice(0, end).trimEnd())).toEqual([
      'First one.',
      'First one. Second one.',
      text,
    ]);
  });
});
