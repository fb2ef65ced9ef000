import { ArticleExtractor, type ExtractedArticle, type ExtractionInput } from './article-extractor';
import type { Resolver } from './safe-connector';
import { SafeFetcher } from './safe-fetcher';

/** The article behind a URL, ready for the summarizer and for the result record. */
export interface FetchedArticle {
  /** Canonical form of the submitted URL (the cache key's URL). */
  readonly sourceUrl: string;
  /** Canonical URL that finally answered, after redirects. */
  readonly finalUrl: string;
  readonly title: string | null;
  /** Article text, paragraphs separated by a blank line. */
  readonly text: string;
  /** `text/html`, `application/xhtml+xml` or `text/plain`. */
  readonly contentType: string;
  /** ISO 8601 time the page was fetched. */
  readonly fetchedAt: string;
}

/**
 * Turns a fetched page into article text. The worker runs it in the CPU pool with a time budget (cpu/); scripts and
 * tests may run it in-line.
 */
export interface ArticleExtraction {
  /** @throws ContentFetchError (`too-little-text`, `too-slow`, …) */
  extract(input: ExtractionInput, signal?: AbortSignal): Promise<ExtractedArticle>;
}

/** Extraction on the calling thread: for scripts and tests, never in a process that renews job locks. */
export class InlineArticleExtraction implements ArticleExtraction {
  private readonly extractor: ArticleExtractor;

  constructor(minChars: number) {
    this.extractor = new ArticleExtractor({ minChars });
  }

  extract(input: ExtractionInput): Promise<ExtractedArticle> {
    return Promise.resolve(this.extractor.extract(input));
  }
}

/**
 * Runs one step of {@link ContentFetcher.fetchArticle}: the worker passes its timing hook (job metrics and spans), so
 * the two steps are timed apart without the fetcher knowing how.
 */
export type ArticleStep = <T>(step: 'fetching' | 'extracting', run: () => Promise<T>) => Promise<T>;

const untimed: ArticleStep = (_step, run) => run();

/** Everything the content module reads from the environment, as a plain object so scripts and tests need no Nest. */
export interface ContentFetcherOptions {
  /** DANGEROUS: comma-separated `host:port` fetched even on non-public addresses (`FETCH_ALLOWED_HOSTS`). */
  readonly allowedHosts: readonly string[] | string;
  readonly connectTimeoutMs: number;
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly maxRedirects: number;
  readonly minChars: number;
  readonly userAgent?: string;
  /** Replaces DNS (tests map invented names to loopback). */
  readonly resolve?: Resolver;
  /** Clock for `fetchedAt` (tests). */
  readonly now?: () => Date;
  /** Where extraction runs; in-line by default. */
  readonly extraction?: ArticleExtraction;
}

/** URL → article text: canonicalize, fetch safely, extract. The one entry point the worker uses. */
export class ContentFetcher {
  private readonly fetcher: SafeFetcher;
  private readonly extraction: ArticleExtraction;
  private readonly now: () => Date;

  constructor(options: ContentFetcherOptions) {
    this.fetcher = new SafeFetcher(options);
    this.extraction = options.extraction ?? new InlineArticleExtraction(options.minChars);
    this.now = options.now ?? (() => new Date());
  }

  /**
   * @param onExtracting called once the page is fetched, as extraction starts (the job's progress)
   * @throws ContentFetchError for every failure: `retryable` true for timeouts, resets, DNS hiccups, 5xx and 429;
   *   false for invalid URLs, blocked addresses, 4xx, too many redirects, unsupported types, too large, too little text.
   */
  async fetchArticle(
    url: string,
    signal?: AbortSignal,
    step: ArticleStep = untimed,
  ): Promise<FetchedArticle> {
    const fetchedAt = this.now().toISOString();
    // SafeFetcher canonicalizes the URL (an invalid one fails as `invalid-url`) and reports the canonical form.
    const document = await step('fetching', () => this.fetcher.fetch(url, signal));
    const article = await step('extracting', () =>
      this.extraction.extract(
        { body: document.body, mediaType: document.mediaType, url: document.finalUrl },
        signal,
      ),
    );
    return {
      sourceUrl: document.url,
      finalUrl: document.finalUrl,
      title: article.title,
      text: article.text,
      contentType: document.mediaType,
      fetchedAt,
    };
  }

  /** Closes pooled connections. */
  async close(): Promise<void> {
    await this.fetcher.close();
  }
}
