/** Runs of white space (line breaks included) as one space, trimmed: text as one line. */
export function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
