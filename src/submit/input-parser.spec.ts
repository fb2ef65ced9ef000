import { BadRequestException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { parseInput } from './input-parser';

describe('parseInput', () => {
  it('normalizes text for the key but keeps line breaks for the summarizer', () => {
    const parsed = parseInput('  First paragraph.\n\nSecond   one.  ');
    expect(parsed).toEqual({
      type: 'text',
      key: 'First paragraph. Second one.',
      content: 'First paragraph.\n\nSecond   one.',
    });
  });

  it('gives NFC and NFD spellings the same key', () => {
    expect(parseInput('Cafe\u0301 au lait.').key).toBe(parseInput('Café au lait.').key);
  });

  it('canonicalizes URLs so two spellings of one page share a key', () => {
    const a = parseInput('HTTPS://Example.COM:443/a?b=2&a=1&utm_source=x#frag');
    const b = parseInput('https://example.com/a?a=1&b=2');
    expect(a).toEqual({
      type: 'url',
      key: 'https://example.com/a?a=1&b=2',
      content: 'https://example.com/a?a=1&b=2',
    });
    expect(b.key).toBe(a.key);
  });

  it('keeps text that merely contains a colon or a URL', () => {
    expect(parseInput('Note: see https://example.com for more.').type).toBe('text');
  });

  it.each(['', '   \n\t', 'ftp://example.com/x', 'javascript:alert(1)', 'https://u:p@example.com/'])(
    'rejects %j with a 400',
    (input) => {
      expect(() => parseInput(input)).toThrow(BadRequestException);
    },
  );
});
