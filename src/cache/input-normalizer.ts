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
