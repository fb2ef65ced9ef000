import { describe, expect, it } from 'vitest';
import { normalizeText } from './input-normalizer';

describe('normalizeText', () => {
  it('collapses every kind of white space run', () => {
    expect(normalizeText('a\u00a0\u2003b\r\n\tc')).toBe('a b c');
  });
});
