import { describe, it, expect } from 'vitest';
import { StopwordList } from './stopword-list';

describe('StopwordList', () => {
  const lists = new StopwordList();

  it('has function words and news filler for English', () => {
    const en = lists.for('en');
    for (const w of ['the', 'and', 'said', 'would', 'yesterday']) expect(en.has(w)).toBe(true);
    expect(en.has('airship')).toBe(false);
  });

  it('has per-language lists that also cover English function words', () => {
    expect(lists.for('es').has('para')).toBe(true);
    expect(lists.for('de').has('und')).toBe(true);
    expect(lists.for('fr').has('avec')).toBe(true);
    expect(lists.for('pt').has('não')).toBe(true);
    expect(lists.for('fr').has('the')).toBe(true);
    expect(lists.for('es').has('ayuntamiento')).toBe(false);
  });

  it('returns the same cached set', () => {
    expect(lists.for('en')).toBe(lists.for('en'));
  });
});
