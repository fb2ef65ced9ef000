import { BadRequestException } from '@nestjs/common';
import type { InputType } from '../core/queue/summarize-job';

export interface ParsedInput {
  readonly type: InputType;
  /** Normalized text, or the canonical URL. */
  readonly value: string;
}

/** `scheme://…` or a scheme that never belongs in running text; ordinary text with a colon stays text. */
const URL_LIKE = /^(?:[a-z][a-z0-9+.-]*:\/\/|(?:javascript|data|file|mailto|vbscript|blob|about):)\S*$/i;

/** NFC, trimmed, runs of white space collapsed: two spellings of the same text share a cache entry. */
export function normalizeText(raw: string): string {
  return raw.normalize('NFC').trim().replace(/\s+/gu, ' ');
}

/** Tells text from URLs and normalizes both; throws 400 for inputs that cannot be summarized. */
export function parseInput(raw: string): ParsedInput {
  const text = normalizeText(raw);
  if (text.length === 0) throw new BadRequestException('input must not be empty or only white space');
  if (!URL_LIKE.test(text)) return { type: 'text', value: text };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new BadRequestException(`input looks like a URL but is not a valid one: ${text.slice(0, 200)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new BadRequestException(`only http and https URLs are supported, not ${url.protocol.slice(0, -1)}`);
  }
  if (url.username || url.password) throw new BadRequestException('URLs with credentials are not accepted');
  url.hash = '';
  return { type: 'url', value: url.toString() };
}
