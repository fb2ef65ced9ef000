import { describe, expect, it } from 'vitest';
import { SummaryValidator } from './summary-validator';
import { SentenceSplitter } from './text/sentence-splitter';

const splitSentences = (text: string) => new SentenceSplitter().sentences(text);

const validator = new SummaryValidator();
const TWO = 'The city approved a budget. Schools get more money.';
const answer = (value: unknown) => JSON.stringify(value);

describe('SummaryValidator', () => {
  it('accepts a valid answer and normalizes whitespace', () => {
    expect(validator.validate(answer({ summary: `  ${TWO}\n`, tags: [' budget ', 'schools'] }))).toEqual({
      ok: true,
      value: { summary: TWO, tags: ['budget', 'schools'] },
    });
  });

  it('accepts JSON wrapped in a code fence', () => {
    const fenced = '```json\n' + answer({ summary: TWO, tags: ['a', 'b'] }) + '\n```';
    expect(validator.validate(fenced).ok).toBe(true);
  });

  it('ignores extra fields', () => {
    expect(validator.validate(answer({ summary: TWO, tags: ['a', 'b'], confidence: 0.9 })).ok).toBe(true);
  });

  it.each([
    ['', 'model returned an empty answer; expected a JSON object'],
    ['{"summary": "cut off', 'model returned invalid JSON'],
    ['[1, 2]', 'model returned an array instead of a JSON object {summary, tags}'],
    ['"text"', 'model returned a string instead of a JSON object {summary, tags}'],
    ['null', 'model returned null instead of a JSON object {summary, tags}'],
  ])('refuses %j', (raw, problem) => {
    const result = validator.validate(raw);
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.problems[0]).toContain(problem);
  });

  it('reports every problem of a wrong shape at once', () => {
    expect(validator.validate(answer({ summary: 42, tags: 'a, b' }))).toEqual({
      ok: false,
      problems: [
        'model returned "summary" as a number; expected a string',
        'model returned "tags" as a string; expected an array of strings',
      ],
    });
    expect(validator.validate(answer({ text: TWO }))).toEqual({
      ok: false,
      problems: ['model returned no "summary" field', 'model returned no "tags" field'],
    });
  });

  it.each([
    ['One sentence only.', 'model returned 1 sentence; expected 2–3'],
    ['One. Two. Three. Four.', 'model returned 4 sentences; expected 2–3'],
    ['It rained. The game was', 'model returned a summary that stops mid-sentence'],
    ['   ', 'model returned an empty summary'],
  ])('counts sentences in %j', (summary, problem) => {
    const result = validator.validate(answer({ summary, tags: ['a', 'b'] }));
    expect(result).toEqual({ ok: false, problems: [problem] });
  });

  it('does not count abbreviations, initials and decimals as sentence ends', () => {
    const summary =
      'Dr. Smith of the U.S. Army said growth was 3.5 percent, e.g. in exports. J. R. R. Tolkien agreed.';
    expect(splitSentences(summary)).toHaveLength(2);
    expect(validator.validate(answer({ summary, tags: ['a', 'b'] })).ok).toBe(true);
  });

  it('counts sentences ending in ! ? and CJK punctuation', () => {
    expect(splitSentences('Really? Yes! Fine.')).toHaveLength(3);
    expect(splitSentences('東京は大きい。人が多い。')).toHaveLength(2);
  });

  it('refuses a summary over 600 characters', () => {
    const summary = `${'word '.repeat(70).trim()}. ${'More '.repeat(60).trim()}.`;
    const result = validator.validate(answer({ summary, tags: ['a', 'b'] }));
    expect(result.ok ? [] : result.problems).toEqual([
      `model returned a summary of ${summary.length} characters; expected at most 600`,
    ]);
  });

  it('strips inline Markdown and decodes entities', () => {
    const result = validator.validate(
      answer({
        summary: 'The **new** law passed. It changes [tax rules](http://x.y) for `small` firms &amp; shops.',
        tags: ['a', 'b'],
      }),
    );
    expect(result).toEqual({
      ok: true,
      value: {
        summary: 'The new law passed. It changes tax rules for small firms & shops.',
        tags: ['a', 'b'],
      },
    });
  });

  it('refuses HTML and Markdown structure', () => {
    const html = validator.validate(
      answer({ summary: '<p>The law passed.</p> <b>Taxes</b> change.', tags: ['a', 'b'] }),
    );
    expect(html.ok ? [] : html.problems).toContain(
      'model returned HTML tags in the summary; expected plain text',
    );
    const list = validator.validate(
      answer({ summary: '- The law passed.\n- Taxes change.', tags: ['a', 'b'] }),
    );
    expect(list.ok ? [] : list.problems[0]).toContain('Markdown structure');
    const heading = validator.validate(
      answer({ summary: '# Summary\nThe law passed. Taxes change.', tags: ['a', 'b'] }),
    );
    expect(heading.ok).toBe(false);
  });

  it('refuses a Markdown table but not a pipe in prose', () => {
    const table = validator.validate(
      JSON.stringify({ summary: '| Year | Sales |\n|---|---|\n| 2024 | 5 |', tags: ['a', 'b'] }),
    );
    expect(table.ok).toBe(false);
    const prose = JSON.stringify({ summary: 'Plans A | B | C were compared. Plan B won.', tags: ['a', 'b'] });
    expect(validator.validate(prose).ok).toBe(true);
  });

  it('does not mistake a comparison for HTML', () => {
    expect(
      validator.validate(
        answer({ summary: 'Costs a < b in most cases. Margins > 5 are rare.', tags: ['a', 'b'] }),
      ).ok,
    ).toBe(true);
  });

  it('trims tags, drops blanks and "#", and dedupes case-insensitively keeping the first spelling', () => {
    const result = validator.validate(
      answer({ summary: TWO, tags: ['#Budget', 'budget', '  ', 'Schools', 'SCHOOLS'] }),
    );
    expect(result).toEqual({ ok: true, value: { summary: TWO, tags: ['Budget', 'Schools'] } });
  });

  it.each([
    [['a', 'b', 'c', 'd', 'e'], 'model returned 5 distinct tags; expected 2–4'],
    [['a'], 'model returned 1 distinct tag; expected 2–4'],
    [[], 'model returned 0 distinct tags; expected 2–4'],
    [
      ['AI', 'ai', ''],
      'model returned 1 distinct tag (3 before removing blank, duplicate or invalid ones); expected 2–4',
    ],
  ])('counts distinct tags in %j', (tags, problem) => {
    expect(validator.validate(answer({ summary: TWO, tags }))).toEqual({ ok: false, problems: [problem] });
  });

  it('refuses non-string, too long and HTML tags', () => {
    expect(validator.validate(answer({ summary: TWO, tags: ['a', 2] }))).toEqual({
      ok: false,
      problems: ['model returned 1 tag(s) that are not strings (a number)'],
    });
    const long = 'x'.repeat(41);
    const tooLong = validator.validate(answer({ summary: TWO, tags: ['a', 'b', long] }));
    expect(tooLong.ok ? [] : tooLong.problems).toEqual([
      `model returned a tag of 41 characters ("${long}"); expected at most 40`,
    ]);
    const html = validator.validate(answer({ summary: TWO, tags: ['a', 'b', '<i>c</i>'] }));
    expect(html.ok ? [] : html.problems).toEqual(['model returned a tag that is not plain text: "<i>c</i>"']);
  });
});
