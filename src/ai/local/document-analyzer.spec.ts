import { describe, it, expect } from 'vitest';
import { DocumentAnalyzer, TAGGED_CHARS, detokenize } from './document-analyzer';

describe('DocumentAnalyzer', () => {
  const analyzer = new DocumentAnalyzer();

  it('detects language, title from a heading, and paragraph openings', () => {
    const doc = analyzer.analyze(
      '# Harbour news\n\nThe ferry was late again. Passengers waited.\n\nThe port blamed fog.',
    );
    expect(doc.language).toBe('en');
    expect(doc.title).toBe('Harbour news');
    expect(doc.sentences.map((s) => [s.text, s.opensParagraph])).toEqual([
      ['The ferry was late again.', true],
      ['Passengers waited.', false],
      ['The port blamed fog.', true],
    ]);
    expect(doc.termCounts.get('ferry')).toBe(1);
    // The opening is tagged for the tagger, in one pass over all paragraphs.
    expect(doc.head.map((s) => s.text)).toEqual([
      'The ferry was late again.',
      'Passengers waited.',
      'The port blamed fog.',
    ]);
    expect(doc.head[0].tokens?.[1]).toEqual({ text: 'ferry', pos: 'NOUN' });
  });

  it('tags only the opening of a long text', () => {
    const paragraph = 'The ferry was late again because of the fog over the harbour. '.repeat(20);
    const doc = analyzer.analyze(Array.from({ length: 40 }, () => paragraph).join('\n\n'));
    const tagged = doc.head.reduce((n, s) => n + s.text.length, 0);
    expect(tagged).toBeLessThan(TAGGED_CHARS + paragraph.length + 100);
    expect(doc.sentences.length).toBe(800);
  });

  it('prefers the given title', () => {
    expect(analyzer.analyze('# Heading\n\nBody text here.', 'Given').title).toBe('Given');
  });

  it('recognises lowercased, tokenized text and re-attaches its punctuation', () => {
    const doc = analyzer.analyze(
      "the mayor 's plan , which costs $ 5m , was approved . critics did n't agree .",
    );
    expect(doc.lowercased).toBe(true);
    expect(doc.tokenized).toBe(true);
    expect(doc.head).toBe(doc.sentences);
    expect(doc.sentences.map((s) => s.text)).toEqual([
      "the mayor's plan, which costs $5m, was approved.",
      "critics didn't agree.",
    ]);
  });

  it('detokenizes', () => {
    expect(detokenize("a ten - year - old boy ( 10 ) said : `` no '' .")).toContain(
      'ten-year-old boy (10) said:',
    );
  });
});
