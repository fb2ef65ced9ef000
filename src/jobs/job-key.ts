import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { hash } from 'node:crypto';
import type { SummarizerIdentity } from '../ai/summarizer';
import { SUMMARIZER_IDENTITY } from '../ai/summarizer-identity';
import { InvalidUrlError } from '../content/content-errors';
import { canonicalizeUrl, looksLikeUrl } from '../content/url-canonicalizer';
import type { InputType } from './summarize-job';

/**
 * A submitted input the service cannot summarize as given (empty, not valid Unicode, a URL it will not fetch). The
 * message is written for the person who sent it; the API answers 400 with it.
 */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';
}

/** A submitted input, told apart (text or URL) and normalized. */
export interface ParsedInput {
  readonly type: InputType;
  /** What identifies the input for caching and deduplication: normalized text, or the canonical URL. */
  readonly key: string;
  /** What the worker processes: the text with its line breaks (they mark paragraphs), or the canonical URL. */
  readonly content: string;
}

/**
 * The identity of a summarize job's input: the input hash is at once the cache key (`summary:{hash}`), the
 * deduplication id of its job and, for URL inputs, what the article's own content key is derived the same way from.
 */
export interface JobKey {
  readonly type: InputType;
  readonly inputHash: string;
}

/**
 * Every white-space character that is not already a single space: runs of two or more, and lone tabs, line breaks,
 * no-break spaces and the like. Replacing these by one space is `replace(/\s+/g, ' ')` without rewriting the
 * single spaces between words (twice as fast on prose, and this runs on every request). No `u` flag: `\s` is the
 * same set either way, and the non-Unicode matcher is faster.
 */
const WHITE_SPACE_TO_COLLAPSE = /\s{2,}|[^\S ]/g;

/** NFC, trimmed, runs of white space collapsed: two spellings of the same text share a cache entry. */
export function normalizeInputText(raw: string): string {
  return raw.normalize('NFC').trim().replace(WHITE_SPACE_TO_COLLAPSE, ' ');
}

/**
 * Refuses text with lone UTF-16 surrogates (JSON allows `"\ud800"`). Hashing encodes strings as UTF-8, which turns a
 * lone surrogate into U+FFFD, so `X\ud800` and `X\ufffd` would otherwise share one cache entry and one job.
 */
export function assertWellFormed(raw: string): void {
  if (raw.isWellFormed()) return;
  for (let i = 0; i < raw.length; i++) {
    const unit = raw.charCodeAt(i);
    const high = unit >= 0xd800 && unit <= 0xdbff;
    const low = unit >= 0xdc00 && unit <= 0xdfff;
    if (high && i + 1 < raw.length) {
      const next = raw.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
    }
    if (high || low) {
      const code = unit.toString(16).padStart(4, '0');
      throw new InvalidInputError(
        `input is not valid Unicode: a lone UTF-16 surrogate (\\u${code}) at character ${i} (0-based)`,
      );
    }
  }
}

/** Tells text from URLs and normalizes both; throws {@link InvalidInputError} for inputs that cannot be summarized. */
export function parseInput(raw: string): ParsedInput {
  assertWellFormed(raw);
  const key = normalizeInputText(raw);
  if (key.length === 0) throw new InvalidInputError('input must not be empty or only white space');
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
    if (error instanceof InvalidUrlError) throw new InvalidInputError(error.message, { cause: error });
    throw error;
  }
}

/**
 * Hashes what decides a summary: the normalized input, its type and the summarizer's identity, so a change of
 * provider, model or prompt never serves another one's answers.
 */
export function hashInput(type: InputType, normalizedInput: string, identity: SummarizerIdentity): string {
  // One-shot crypto.hash(): no Hash object per call (this runs on every request).
  return hash(
    'sha256',
    `${identity.provider}\n${identity.model}\n${identity.promptVersion}\n${type}\n${normalizedInput}`,
  );
}

/** The key of a submitted input, and the parsed input itself. */
export function jobKeyOf(
  raw: string,
  identity: SummarizerIdentity,
): JobKey & { readonly input: ParsedInput } {
  const input = parseInput(raw);
  return { type: input.type, inputHash: hashInput(input.type, input.key, identity), input };
}

/**
 * The content-level key of a fetched article's text: the key the same text has when submitted directly, so two URLs
 * serving one article, and the text itself, share one summary.
 */
export function articleKeyOf(text: string, identity: SummarizerIdentity): string {
  return hashInput('text', normalizeInputText(text), identity);
}

/** How many recent inputs' keys are remembered (about 300 bytes each), least recently used out first. */
const REMEMBERED_INPUTS = 10_000;

/**
 * Computes job keys with this deployment's summarizer identity, remembering recent inputs' keys by the SHA-256 of
 * the raw input: normalizing ~1 KB costs more than hashing it, and every cache hit is a repeat of an earlier input.
 */
@Injectable()
export class JobKeys {
  private readonly remembered = new LRUCache<string, JobKey>({ max: REMEMBERED_INPUTS });

  constructor(@Inject(SUMMARIZER_IDENTITY) private readonly identity: SummarizerIdentity) {}

  /**
   * The key of a submitted input; `input` is set when this call parsed it (a remembered input is not parsed again).
   * Invalid inputs throw {@link InvalidInputError} and are not remembered.
   */
  of(raw: string): JobKey & { readonly input?: ParsedInput } {
    // Before the raw hash: UTF-8 encoding would make a lone surrogate and U+FFFD look alike (see assertWellFormed).
    assertWellFormed(raw);
    const rawHash = hash('sha256', raw);
    const known = this.remembered.get(rawHash);
    if (known) return known;
    const key = jobKeyOf(raw, this.identity);
    this.remembered.set(rawHash, { type: key.type, inputHash: key.inputHash });
    return key;
  }

  /** See {@link articleKeyOf}. */
  ofArticle(text: string): string {
    return articleKeyOf(text, this.identity);
  }
}
