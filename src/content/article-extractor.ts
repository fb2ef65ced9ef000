import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import { ContentFetchError } from './content-errors';

export interface ArticleExtractorOptions {
  /** Extracted text shorter than this fails as "too little text" (empty pages, login walls). */
  readonly minChars: number;
  /** `false` skips Readability and always uses the visible-text fallback; a baseline for measurement only. */
  readonly useReadability?: boolean;
}

export interface ExtractionInput {
  readonly body: string;
  readonly mediaType: string;
  /** The page's final URL; lets Readability resolve relative links in its output. */
  readonly url?: string;
}

export interface ExtractedArticle {
  readonly title: string | null;
  /** Plain text, one paragraph (heading, list item, quote...) per block, blocks separated by a blank line. */
  readonly text: string;
  /** Which path produced the text; logged so we can tell how often Readability finds nothing. */
  readonly method: 'readability' | 'visible-text' | 'plain-text';
}

/**
 * The minimal DOM surface we walk. The project compiles without the DOM lib (it is a server), so linkedom's nodes
 * are described structurally here instead of as `Node`/`Element`.
 */
interface DomNode {
  readonly nodeType: number;
  readonly nodeName: string;
  readonly childNodes: ArrayLike<DomNode>;
  readonly textContent: string | null;
  getAttribute?(name: string): string | null;
}
interface DomDocument {
  readonly documentElement: DomNode | null;
  readonly body: DomNode | null;
  readonly title: string;
  querySelector(selector: string): (DomNode & { getAttribute(name: string): string | null }) | null;
  querySelectorAll(selector: string): ArrayLike<DomNode & { remove(): void }>;
}

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const CDATA_SECTION_NODE = 4;
/** Pages with more elements skip Readability (it scores every node) and use the visible-text fallback. */
const MAX_ELEMENTS = 100_000;
// Deeper trees than this are either broken markup or an attack on a recursive walker; we stop descending.
const MAX_DEPTH = 512;
const MAX_TITLE_CHARS = 300;

/** Elements whose end starts a new paragraph in the output text. */
const BLOCK_ELEMENTS: ReadonlySet<string> = new Set(
  (
    'ADDRESS ARTICLE ASIDE BLOCKQUOTE BR CAPTION DD DETAILS DIV DL DT FIELDSET FIGCAPTION FIGURE FOOTER FORM H1 H2 H3 ' +
    'H4 H5 H6 HEADER HR LI MAIN NAV OL P PRE SECTION SUMMARY TABLE TBODY TFOOT THEAD TR UL'
  ).split(' '),
);
/** Table cells stay on their row's line, separated by a space. */
const CELL_ELEMENTS: ReadonlySet<string> = new Set(['TD', 'TH']);
/** Never text a reader sees. */
const INVISIBLE_ELEMENTS: ReadonlySet<string> = new Set(
  'SCRIPT STYLE NOSCRIPT TEMPLATE SVG MATH IFRAME OBJECT CANVAS HEAD TITLE META LINK'.split(' '),
);
/** Removed before the visible-text fallback: page chrome rather than the article. */
const CHROME_SELECTOR =
  'script, style, noscript, template, svg, iframe, nav, header, footer, aside, form, button, select, dialog, ' +
  '[hidden], [aria-hidden="true"], [role="navigation"], [role="banner"], [role="contentinfo"], [role="complementary"]';

/**
 * Turns a fetched page into the text to summarize.
 *
 * linkedom rather than jsdom: jsdom is not a dependency (and is ~10x heavier to install and several times slower and
 * hungrier to parse with, since it builds a full browser environment); Readability only needs a standard DOM tree,
 * which linkedom provides. Readability's own `textContent` glues paragraphs together, so we ask it for the article
 * element and walk it ourselves, keeping one blank line between blocks for the summarizer's sentence splitter.
 */
export class ArticleExtractor {
  constructor(private readonly options: ArticleExtractorOptions) {}

  /** @throws ContentFetchError (`too-little-text`, permanent) when the page has less than `minChars` of text. */
  extract(input: ExtractionInput): ExtractedArticle {
    const result = input.mediaType === 'text/plain' ? plainText(input.body) : this.fromHtml(input);
    if (result.text.length < this.options.minChars) {
      throw new ContentFetchError(
        `The page has too little text to summarize (${result.text.length} characters; at least ` +
          `${this.options.minChars} are needed). Is it empty, behind a login, or built by JavaScript?`,
        'too-little-text',
        false,
      );
    }
    return result;
  }

  private fromHtml(input: ExtractionInput): ExtractedArticle {
    const document = parseDocument(input.body);
    const title = pageTitle(document);
    const article = this.options.useReadability === false ? null : this.readability(input, document);
    if (article !== null && article.text.length >= this.options.minChars) {
      return { title: cleanTitle(article.title) ?? title, text: article.text, method: 'readability' };
    }
    // Readability mutates the tree it scores, so the fallback starts from a fresh parse.
    const visible = visibleText(parseDocument(input.body));
    const text = article !== null && article.text.length >= visible.length ? article.text : visible;
    return { title: cleanTitle(article?.title) ?? title, text, method: 'visible-text' };
  }

  private readability(
    input: ExtractionInput,
    document: DomDocument,
  ): { title?: string | null; text: string } | null {
    try {
      const reader = new Readability<DomNode>(document, {
        maxElemsToParse: MAX_ELEMENTS,
        serializer: asDomNode,
      });
      const article = reader.parse();
      if (article === null || article.content === null || article.content === undefined) return null;
      return { title: article.title, text: blockText(article.content) };
    } catch {
      // Readability throws on oversized documents and on markup it cannot score; the visible text still works.
      return null;
    }
  }
}

/** Readability hands back the article element as a DOM `Node`, a type this project compiles without. */
function asDomNode(node: unknown): DomNode {
  return node as DomNode;
}

function parseDocument(html: string): DomDocument {
  const parse = (markup: string) => (parseHTML(markup) as unknown as { document: DomDocument }).document;
  const document = parse(html);
  // linkedom builds no <html> element for input without any tag (an empty body, bare text), and then throws on
  // `document.title`; browsers wrap such input in html/body, so we do too.
  return document.documentElement === null
    ? parse(`<!doctype html><html><body>${html}</body></html>`)
    : document;
}

function plainText(body: string): ExtractedArticle {
  const text = body
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n/)
    .map((paragraph) => paragraph.replace(/[ \t\f\v]+/g, ' ').trim())
    .filter((paragraph) => paragraph !== '')
    .join('\n\n');
  return { title: null, text, method: 'plain-text' };
}

function visibleText(document: DomDocument): string {
  const chrome = document.querySelectorAll(CHROME_SELECTOR);
  // Snapshot first: removing while iterating a live list would skip nodes.
  for (const node of Array.from(chrome)) node.remove();
  const root = document.body ?? document.documentElement;
  return root === null ? '' : blockText(root);
}

/** Text of `root` with whitespace collapsed inside blocks and a blank line between blocks. */
export function blockText(root: DomNode): string {
  const paragraphs: string[] = [];
  let current = '';
  const flush = (): void => {
    const paragraph = current.replace(/\s+/g, ' ').trim();
    if (paragraph !== '') paragraphs.push(paragraph);
    current = '';
  };
  // Explicit stack instead of recursion: deep markup cannot overflow the call stack. `null` marks a block's end.
  const stack: Array<{ node: DomNode; depth: number } | null> = [{ node: root, depth: 0 }];
  while (stack.length > 0) {
    const entry = stack.pop();
    if (entry === null || entry === undefined) {
      flush();
      continue;
    }
    const { node, depth } = entry;
    if (node.nodeType === TEXT_NODE || node.nodeType === CDATA_SECTION_NODE) {
      current += node.textContent ?? '';
      continue;
    }
    if (node.nodeType !== ELEMENT_NODE) continue;
    const name = node.nodeName.toUpperCase();
    if (INVISIBLE_ELEMENTS.has(name)) continue;
    if (BLOCK_ELEMENTS.has(name)) {
      flush();
      stack.push(null);
    } else if (CELL_ELEMENTS.has(name)) {
      current += ' ';
    }
    if (depth >= MAX_DEPTH) continue;
    const children = node.childNodes;
    for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i], depth: depth + 1 });
  }
  flush();
  return paragraphs.join('\n\n');
}

function pageTitle(document: DomDocument): string | null {
  const fromTitle = cleanTitle(document.title);
  if (fromTitle !== null) return fromTitle;
  const og = document.querySelector(
    'meta[property="og:title"], meta[name="og:title"], meta[name="twitter:title"]',
  );
  return cleanTitle(og?.getAttribute('content'));
}

function cleanTitle(title: string | null | undefined): string | null {
  if (title === null || title === undefined) return null;
  const clean = title.replace(/\s+/g, ' ').trim();
  if (clean === '') return null;
  return clean.length > MAX_TITLE_CHARS ? `${clean.slice(0, MAX_TITLE_CHARS - 1)}…` : clean;
}
