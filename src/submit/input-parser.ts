import { BadRequestException } from '@nestjs/common';
import { InvalidUrlError } from '../content/content-errors';
import { canonicalizeUrl, looksLikeUrl } from '../content/url-canonicalizer';
import type { InputType } from '../core/queue/summarize-job';

export interface ParsedInput {
  readonly type: InputType;
  /** What identifies the input for caching and deduplication: normalized text, or the canonical URL. */
  readonly key: string;
  /** What the worker processes: the text with its line breaks (they mark paragraphs), or the canonical URL. */
  readonly content: string;
}

/**
 * Every white-space character that is not already a single space: runs of two or more, and lone tabs, line breaks,
 * no-break spaces and the like. Replacing these by one space is `replace(/\s+/g, ' ')` without rewriting the
 * single spaces between words (twice as fast on prose, and this runs on every request). No `u` flag: `\s` is the
 * same set either way, and the non-Unicode matcher is faster.
 */
const WHITE_SPACE_TO_COLLAPSE = /\s{2,}|[^\S ]/g;

/** NFC, trimmed, runs of white space collapsed: two spellings of the same text share a cache entry. */
export function normalizeText(raw: string): string {
  return raw.normalize('NFC').trim().replace(WHITE_SPACE_TO_COLLAPSE, ' ');
}

/** Tells text from URLs and normalizes both; throws 400 for inputs that cannot be summarized. */
export function parseInput(raw: string): ParsedInput {
  const key = normalizeText(raw);
  if (key.length === 0) throw new BadRequestException('input must not be empty or only white space');
  if (!looksLikeUrl(key))
    return {
      type: 'text',
      key,
      // Only a miss needs it: computed on first use, so a cache hit does not normalize the input twice.
      get content() {
        return raw.normalize('NFC').trim();
      },
    };
  try {
    const url = canonicalizeUrl(key);
    return { type: 'url', key: url, content: url };
  } catch (error) {
    if (error instanceof InvalidUrlError) throw new BadRequestException(error.message);
    throw error;
  }
}
