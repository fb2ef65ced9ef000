const MARKDOWN_IMAGE = /!\[([^\]\n]*)\]\([^)\n]*\)/g;
const MARKDOWN_LINK = /\[([^\]\n]+)\]\([^)\n]*\)/g;
const INLINE_CODE = /`([^`\n]*)`/g;
const STRONG = /(\*\*|__)(?=\S)([^\n]*?\S)\1/g;
const EMPHASIS = /(^|[\s(])([*_])(?=\S)([^*_\n]*?\S)\2(?=[\s).,;:!?]|$)/g;

/**
 * The one Markdown unwrapper for inline markup: images become their alt text, links their text, and code, strong
 * and emphasis lose their markers. Block structure (headings, lists, fences) is the caller's: the local summarizer
 * turns it into blocks, the output validator refuses it.
 */
export function stripInlineMarkdown(text: string): string {
  return text
    .replace(MARKDOWN_IMAGE, '$1')
    .replace(MARKDOWN_LINK, '$1')
    .replace(INLINE_CODE, '$1')
    .replace(STRONG, '$2')
    .replace(EMPHASIS, '$1$3');
}
