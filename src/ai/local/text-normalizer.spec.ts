import { describe, it, expect } from 'vitest';
import { MAX_INPUT_CHARS, TextNormalizer } from './text-normalizer';

describe('TextNormalizer', () => {
  const normalizer = new TextNormalizer();

  it('joins wrapped lines into paragraphs split by blank lines', () => {
    expect(normalizer.normalize('First line\ncontinues here.\n\nSecond paragraph.')).toEqual([
      { kind: 'paragraph', text: 'First line continues here.' },
      { kind: 'paragraph', text: 'Second paragraph.' },
    ]);
  });

  it('keeps headings apart and makes each list item a sentence', () => {
    const blocks = normalizer.normalize(
      '# Release notes\n\n- Faster start\n* Smaller images!\n1. Fixed the login bug',
    );
    expect(blocks).toEqual([
      { kind: 'heading', text: 'Release notes' },
      { kind: 'list-item', text: 'Faster start.' },
      { kind: 'list-item', text: 'Smaller images!' },
      { kind: 'list-item', text: 'Fixed the login bug.' },
    ]);
  });

  it('drops code blocks, URLs, e-mail addresses and HTML tags; unwraps Markdown links and emphasis', () => {
    const text = [
      'Read the **guide** at https://example.com/guide?x=1 or [the wiki](https://wiki.example.com).',
      '',
      '```ts',
      'const secret = compute(42);',
      '```',
      '',
      'Write to <b>help@example.com</b> if `npm install` fails.',
    ].join('\n');
    const out = normalizer
      .normalize(text)
      .map((b) => b.text)
      .join(' | ');
    expect(out).toBe('Read the guide at or the wiki. | Write to if npm install fails.');
  });

  it('drops tables and rules, strips blockquote markers', () => {
    expect(normalizer.normalize('| a | b |\n|---|---|\n\n---\n\n> Quoted words here.')).toEqual([
      { kind: 'paragraph', text: 'Quoted words here.' },
    ]);
  });

  it('bounds huge input', () => {
    const blocks = normalizer.normalize('word '.repeat(MAX_INPUT_CHARS));
    expect(blocks[0].text.length).toBeLessThanOrEqual(MAX_INPUT_CHARS);
  });
});
