import { describe, expect, it } from 'vitest';
import { InputBudget } from './input-budget';

const paragraph = (i: number) =>
  `Paragraph ${i} opens with its key point. Then it adds supporting detail that a summary can do without, at some length.`;

describe('InputBudget', () => {
  it('estimates about 4 characters per token for English, more tokens for other scripts', () => {
    expect(InputBudget.estimateTokens('a'.repeat(400))).toBe(100);
    expect(InputBudget.estimateTokens('é'.repeat(400))).toBe(200);
    expect(InputBudget.estimateTokens('東'.repeat(400))).toBe(400);
  });

  it('leaves text within the budget untouched', () => {
    const text = [paragraph(1), paragraph(2)].join('\n\n');
    expect(new InputBudget(1000).fit(text)).toEqual({
      text,
      truncated: false,
      estimatedTokens: InputBudget.estimateTokens(text),
      originalTokens: InputBudget.estimateTokens(text),
    });
  });

  it('keeps the opening in full and the first sentences of later paragraphs, within budget', () => {
    const text = Array.from({ length: 60 }, (_, i) => paragraph(i)).join('\n\n');
    const result = new InputBudget(500).fit(text);

    expect(result.truncated).toBe(true);
    expect(result.estimatedTokens).toBeLessThanOrEqual(500);
    expect(result.originalTokens).toBe(InputBudget.estimateTokens(text));
    expect(result.text.startsWith(`${paragraph(0)}\n\n${paragraph(1)}`)).toBe(true);
    expect(result.text).toContain('Paragraph 30 opens with its key point.');
    expect(result.text).not.toContain(paragraph(30));
    expect(result.text).toContain('[…]');
  });

  it('keeps headings before first sentences when the outline does not fit', () => {
    const sections = Array.from({ length: 40 }, (_, i) => `## Section ${i}\n\n${paragraph(i)}`).join('\n\n');
    const result = new InputBudget(300).fit(sections);

    expect(result.estimatedTokens).toBeLessThanOrEqual(300);
    // Headings spread over the whole document, in order, before any later first sentence.
    const headings = [...result.text.matchAll(/## Section (\d+)/g)].map((match) => Number(match[1]));
    expect(headings.at(-1)).toBe(39);
    expect(headings).toEqual([...headings].sort((a, b) => a - b));
    expect(headings.filter((n) => n >= 20).length).toBeGreaterThan(5);
    expect(result.text).not.toContain('Paragraph 39');
    // The opening is never cut mid-sentence once something is kept.
    expect(result.text).not.toMatch(/opens with\n/);
  });

  it('recognises a short standalone title line without "#" as a heading, but not wrapped prose', () => {
    const text = [
      'Introduction',
      paragraph(0),
      'Background Facts',
      paragraph(1),
      'Results',
      'x'.repeat(4000),
    ].join('\n\n');
    const result = new InputBudget(150).fit(text);
    expect(result.text).toContain('Results');
    const wrapped = ['Lorem ipsum dolor sit amet consectetur', 'Adipiscing elit sed do eiusmod tempor'].join(
      '\n',
    );
    expect(new InputBudget(5).fit(wrapped).text).not.toContain('Adipiscing');
  });

  it('cuts one huge paragraph at a sentence or word boundary', () => {
    const text = Array.from({ length: 500 }, (_, i) => `Sentence number ${i} is here.`).join(' ');
    const result = new InputBudget(100).fit(text);

    expect(result.estimatedTokens).toBeLessThanOrEqual(100);
    expect(result.text.startsWith('Sentence number 0 is here.')).toBe(true);
    expect(result.text).toMatch(/here\.\n\n\[…\]$/);
  });

  it('rejects a non-positive budget', () => {
    expect(() => new InputBudget(0)).toThrow('positive integer');
  });
});
