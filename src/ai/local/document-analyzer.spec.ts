import { describe, it, expect } from 'vitest';
import { DocumentAnalyzer, detokenize } from './document-analyzer';

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
