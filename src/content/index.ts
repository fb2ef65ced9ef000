export { classifyAddress, isPublicAddress, type AddressClass } from './address-classifier';
export { ArticleExtractor, type ArticleExtractorOptions, type ExtractedArticle } from './article-extractor';
export { ContentFetchError, InvalidUrlError, type ContentFailureKind } from './content-errors';
export { ContentFetcher, type ContentFetcherOptions, type FetchedArticle } from './content-fetcher';
export { ContentModule, contentFetcherFromConfig } from './content.module';
export { SafeFetcher, type FetchedDocument, type SafeFetcherOptions } from './safe-fetcher';
export {
  canonicalizeUrl,
  isTrackingParameter,
  looksLikeUrl,
  MAX_URL_LENGTH,
  TRACKING_PARAMETERS,
} from './url-canonicalizer';
