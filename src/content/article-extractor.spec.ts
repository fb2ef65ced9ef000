import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import { ArticleExtractor, blockText } from './article-extractor';
import { ContentFetchError } from './content-errors';

const sentence =
  'The council approved the new library budget after a long debate about opening hours and staffing levels.';

function articlePage(head: string, paragraphs = 5): string {
  const body = Array.from(
    { length: paragraphs },
    (_, i) => `<p>${i + 1}. ${sentence} More detail follows here.</p>`,
  );
  return `<html><head>${head}</head><body>
    <nav><ul><li><a href="/">Home</a></li><li><a href="/politics">Politics</a></li></ul></nav>
    <article><h1>Library budget approved</h1>${body.join('')}</article>
    <aside><h3>Most read</h3><p>Ten cats that look like loaves.</p></aside>
    <footer>© 2026 The Daily Example · Privacy · Terms</footer>
  </body></html>`;
}

const extractor = new ArticleExtractor({ minChars: 200 });

describe('ArticleExtractor', () => {
  it('keeps the article, drops navigation, sidebars and footers, and separates paragraphs with a blank line', () => {
    const result = extractor.extract({
      body: articlePage('<title>Library budget approved</title>'),
      mediaType: 'text/html',
    });
    expect(result.method).toBe('readability');
    expect(result.title).toBe('Library budget approved');
    const paragraphs = result.text.split('\n\n');
    expect(paragraphs.filter((p) => p.includes(sentence))).toHaveLength(5);
    expect(result.text).not.toMatch(/Home|Politics|loaves|Privacy/);
    expect(result.text).not.toMatch(/\n{3,}|[ \t]{2,}/);
  });

  it('takes the <title> when Readability has none, and og:title when there is no <title>', () => {
    const ogOnly = articlePage('<meta property="og:title" content="From Open Graph">');
    // Readability also reads og:title, so the chain ends in the same title either way.
    expect(extractor.extract({ body: ogOnly, mediaType: 'text/html' }).title).toBe('From Open Graph');
    expect(extractor.extract({ body: articlePage(''), mediaType: 'text/html' }).title).toBeNull();
  });

  it('falls back to the visible text when Readability finds no article', () => {
    // A page of list items only: Readability scores paragraphs, finds none worth keeping.
    const items = Array.from({ length: 12 }, (_, i) => `<li>Step ${i + 1}: ${sentence}</li>`).join('');
    const page = `<html><head><title>Steps</title><script>var hidden = "script text";</script></head><body>
      <nav>Menu</nav><ul>${items}</ul><footer>Footer text</footer></body></html>`;
    const result = new ArticleExtractor({ minChars: 200, useReadability: false }).extract({
      body: page,
      mediaType: 'text/html',
    });
    expect(result.method).toBe('visible-text');
    expect(result.title).toBe('Steps');
    expect(result.text.split('\n\n')).toHaveLength(12);
    expect(result.text).not.toMatch(/Menu|Footer text|script text/);
  });

  it('fails a login wall permanently, saying how much text there was', () => {
    const page =
      '<html><head><title>Sign in</title></head><body><h1>Sign in</h1><p>Please log in to continue.</p></body></html>';
    let error: unknown;
    try {
      extractor.extract({ body: page, mediaType: 'text/html' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ContentFetchError);
    expect(error).toMatchObject({ kind: 'too-little-text', retryable: false });
    expect((error as Error).message).toMatch(/too little text to summarize \(\d+ characters; at least 200/);
  });

  it('fails an empty page', () => {
    expect(() => extractor.extract({ body: '', mediaType: 'text/html' })).toThrow(/too little text/);
  });

  it('passes text/plain through, normalizing line endings and blank lines', () => {
    const body = `First paragraph, ${sentence}\r\nstill first.\r\n\r\n\r\n   \r\nSecond paragraph, ${sentence}`;
    expect(extractor.extract({ body, mediaType: 'text/plain' })).toEqual({
      title: null,
      method: 'plain-text',
      text: `First paragraph, ${sentence}\nstill first.\n\nSecond paragraph, ${sentence}`,
    });
  });
});

describe('blockText', () => {
  const textOf = (html: string) =>
    blockText(
      (parseHTML(`<html><body>${html}</body></html>`) as unknown as { document: { body: never } }).document
        .body,
    );

  it('breaks at blocks and <br>, keeps inline text together, puts table cells on one line', () => {
    expect(
      textOf('<h2>Title</h2><p>One <b>bold</b> <a>link</a>.</p>line<br>next<ul><li>a</li><li>b</li></ul>'),
    ).toBe('Title\n\nOne bold link.\n\nline\n\nnext\n\na\n\nb');
    expect(textOf('<table><tr><td>x</td><td>y</td></tr><tr><td>z</td></tr></table>')).toBe('x y\n\nz');
  });

  it('skips scripts, styles and templates', () => {
    expect(textOf('<p>seen<script>no()</script><style>.x{}</style></p><template>no</template>')).toBe('seen');
  });

  it('survives deeply nested markup without overflowing the stack', () => {
    const depth = 20_000;
    const html = `${'<div>'.repeat(depth)}deep${'</div>'.repeat(depth)}<p>shallow</p>`;
    expect(textOf(html)).toContain('shallow');
  });
});
