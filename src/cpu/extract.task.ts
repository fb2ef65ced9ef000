/**
 * The module the extraction pool's threads load (see CpuPool). Answers with plain data: errors do not keep their
 * class across a thread boundary, so a failure comes back as a value the main thread turns into its error again.
 */
import { ArticleExtractor, type ExtractedArticle, type ExtractionInput } from '../content/article-extractor';
import { ContentFetchError } from '../content/content-errors';

export interface ExtractTask {
  readonly input: ExtractionInput;
  readonly minChars: number;
}

export type ExtractOutcome =
  | { readonly ok: true; readonly article: ExtractedArticle }
  | {
      readonly ok: false;
      readonly kind: ContentFetchError['kind'];
      readonly retryable: boolean;
      readonly message: string;
    };

const extractors = new Map<number, ArticleExtractor>();

export function extract({ input, minChars }: ExtractTask): ExtractOutcome {
  let extractor = extractors.get(minChars);
  if (!extractor) {
    extractor = new ArticleExtractor({ minChars });
    extractors.set(minChars, extractor);
  }
  try {
    return { ok: true, article: extractor.extract(input) };
  } catch (error) {
    if (error instanceof ContentFetchError) {
      return { ok: false, kind: error.kind, retryable: error.retryable, message: error.message };
    }
    throw error;
  }
}
