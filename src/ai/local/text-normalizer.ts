import { stripInlineMarkdown } from '../text/markdown';
import { collapseWhitespace } from '../text/whitespace';

/** One unit of layout: a paragraph of prose, a heading, or a list item. */
export interface TextBlock {
  readonly kind: 'paragraph' | 'heading' | 'list-item';
  readonly text: string;
}

/** Inputs beyond this are cut (at a whitespace) so time and memory stay bounded whatever users send. */
export const MAX_INPUT_CHARS = 1_200_000;

const FENCED_CODE = /^[ \t]*(```|~~~)[^\n]*\n[\s\S]*?(?:\n[ \t]*\1[^\n]*(?=\n|$)|$)/gm;
const HTML_TAG = /<\/?[a-zA-Z][a-zA-Z0-9-]*(?:\s[^<>]*)?\/?>/g;
const URL = /\b(?:https?:\/\/|www\.)[^\s<>()"'\]]+[^\s<>()"'\].,;:!?]/gi;
const EMAIL = /\b[\w.+-]+@[\w-]+\.[\w.-]+\b/g;
const HEADING = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/;
const SETEXT_UNDERLINE = /^\s{0,3}(=+|-+)\s*$/;
const LIST_ITEM = /^\s*(?:[-*+•·▪◦‣–]|\(?\d{1,3}[.)]|\(?[a-zA-Z][.)])\s+(.*)$/;
const BLOCKQUOTE = /^\s*>\s?/;
const TABLE_ROW = /^\s*\|.*\|\s*$/;
const RULE = /^\s*(?:[-*_]\s*){3,}$/;
const TERMINAL = /[.!?…。:;]["'”’)\]]*$/u;

/**
 * Turns what users paste (plain prose, Markdown, bullet lists, text with code blocks, URLs or HTML tags) into prose
 * blocks: code and URLs are dropped, Markdown markup is unwrapped, each list item becomes its own sentence.
 */
export class TextNormalizer {
  normalize(input: string): TextBlock[] {
    let text = input.length > MAX_INPUT_CHARS ? cutAtSpace(input, MAX_INPUT_CHARS) : input;
    text = text.replace(/\r\n?/g, '\n').replace(/[\u00a0\u2000-\u200b\u202f\u205f\u3000]/g, ' ');
    text = text.replace(FENCED_CODE, '\n\n');
    text = stripInlineMarkdown(text.replace(HTML_TAG, ' ')).replace(URL, ' ').replace(EMAIL, ' ');

    const blocks: TextBlock[] = [];
    let paragraph: string[] = [];
    const flush = () => {
      const joined = collapseWhitespace(paragraph.join(' '));
      if (hasWords(joined)) blocks.push({ kind: 'paragraph', text: joined });
      paragraph = [];
    };
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      const next = lines[i + 1];
      if (line.trim() === '' || RULE.test(line) || TABLE_ROW.test(line)) {
        flush();
        continue;
      }
      const heading = HEADING.exec(line);
      if (heading) {
        flush();
        const title = collapseWhitespace(heading[1]);
        if (hasWords(title)) blocks.push({ kind: 'heading', text: title });
        continue;
      }
      if (
        next !== undefined &&
        SETEXT_UNDERLINE.test(next) &&
        paragraph.length === 0 &&
        line.trim().length < 120
      ) {
        const title = collapseWhitespace(line);
        if (hasWords(title)) blocks.push({ kind: 'heading', text: title });
        i++;
        continue;
      }
      const item = LIST_ITEM.exec(line);
      if (item) {
        flush();
        const body = collapseWhitespace(item[1].replace(BLOCKQUOTE, ''));
        if (hasWords(body)) blocks.push({ kind: 'list-item', text: TERMINAL.test(body) ? body : `${body}.` });
        continue;
      }
      paragraph.push(line.replace(BLOCKQUOTE, ''));
    }
    flush();
    return blocks;
  }
}

function hasWords(text: string): boolean {
  return /[\p{L}\p{N}]/u.test(text);
}

function cutAtSpace(text: string, max: number): string {
  const cut = text.lastIndexOf(' ', max);
  return text.slice(0, cut > max * 0.9 ? cut : max);
}
