import { describe, it, expect } from 'vitest';
import { StopwordList } from './stopword-list';
import { TermExtractor, stem } from './term-extractor';

describe('TermExtractor', () => {
  const terms = new TermExtractor(new StopwordList().for('en'));

  it('drops stopwords, possessives and small numbers, and stems the rest', () => {
    expect(terms.terms("The airline's airships flew 3 loops over Greenland.")).toEqual([
      'airlin',
      'airshi',
      'flew',
      'loop',
      'greenl',
    ]);
  });

  it('matches singular and plural forms', () => {
    expect(stem('airship')).toBe(stem('airships'));
    expect(stem('cats')).toBe(stem('cat'));
    expect(stem('glass')).toBe('glass');
  });

  it('handles accented words', () => {
    expect(new TermExtractor(new StopwordList().for('es')).terms('La señora García llegó.')).toEqual([
      'señora',
      'garcía',
      'llegó',
    ]);
  });
});
