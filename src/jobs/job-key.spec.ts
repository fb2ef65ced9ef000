import { describe, expect, it } from 'vitest';
import {
  articleKeyOf,
  hashInput,
  InvalidInputError,
  JobKeys,
  jobKeyOf,
  normalizeInputText,
  parseInput,
} from './job-key';

const local = { provider: 'local', model: 'extractive-v2', promptVersion: '2' } as const;

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
    'rejects %j as invalid input',
    (input) => {
      expect(() => parseInput(input)).toThrow(InvalidInputError);
    },
  );

  it('refuses lone UTF-16 surrogates, saying where, and accepts proper pairs', () => {
    expect(() => parseInput('Hello \ud800 world')).toThrow(
      /lone UTF-16 surrogate \(\\ud800\) at character 6/,
    );
    expect(() => parseInput('trailing \udc00')).toThrow(InvalidInputError);
    expect(() => parseInput('reversed \udc00\ud800 pair')).toThrow(/at character 9/);
    expect(parseInput('An emoji 😀 is a proper pair.').type).toBe('text');
  });
});

describe('normalizeInputText', () => {
  it('collapses every kind of white space run', () => {
    expect(normalizeInputText('a\u00a0\u2003b\r\n\tc')).toBe('a b c');
  });
});

describe('hashInput', () => {
  it('is a stable SHA-256 hex digest', () => {
    expect(hashInput('text', 'Hello.', local)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashInput('text', 'Hello.', local)).toBe(hashInput('text', 'Hello.', local));
  });

  it('changes with the provider, the model, the prompt version and the input type', () => {
    const base = hashInput('text', 'Hello.', local);
    expect(hashInput('text', 'Hello.', { ...local, provider: 'gemini' })).not.toBe(base);
    expect(hashInput('text', 'Hello.', { ...local, model: 'other' })).not.toBe(base);
    expect(hashInput('text', 'Hello.', { ...local, promptVersion: '3' })).not.toBe(base);
    expect(hashInput('url', 'Hello.', local)).not.toBe(base);
  });

  it('cannot be confused by moving text between the identity and the input', () => {
    expect(hashInput('text', 'b', { ...local, promptVersion: '2\na' })).not.toBe(
      hashInput('text', 'a\nb', local),
    );
  });
});

describe('job keys', () => {
  it('give an article the key its text has when submitted directly', () => {
    const text = 'An article.\n\nIts   second paragraph.';
    expect(articleKeyOf(text, local)).toBe(jobKeyOf(text, local).inputHash);
  });

  it('are remembered per raw input, and a remembered input is not parsed again', () => {
    const keys = new JobKeys(local);
    const first = keys.of('Remember me. Twice.');
    expect(first.input).toBeDefined();
    const again = keys.of('Remember me. Twice.');
    expect(again.input).toBeUndefined();
    expect(again.inputHash).toBe(first.inputHash);
  });

  it('never let a lone surrogate share the remembered key of U+FFFD (UTF-8 encoding would make them equal)', () => {
    const keys = new JobKeys(local);
    keys.of('X\ufffd and more.');
    expect(() => keys.of('X\ud800 and more.')).toThrow(InvalidInputError);
  });
});
