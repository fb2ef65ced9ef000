import { BadRequestException } from '@nestjs/common';
import { InvalidUrlError } from '../content/content-errors';
import { canonicalizeUrl, looksLikeUrl } from '../content/url-canonicalizer';
import { normalizeText } from '../cache/input-normalizer';
import type { InputType } from '../core/queue/summarize-job';

export interface ParsedInput {
  readonly type: InputType;
  /** What identifies the input for caching and deduplication: normalized text, or the canonical URL. */
  readonly key: string;
  /** What the worker processes: the text with its line breaks (they mark paragraphs), or the canonical URL. */
  readonly content: string;
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
