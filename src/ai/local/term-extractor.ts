const WORD = /[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu;
/** Truncation stemming: language-independent, cheap, and good enough to match "airship"/"airships", "govern…". */
const STEM_LENGTH = 6;

/** Turns text into content terms: lowercased words without stopwords, possessives and inflection tails. */
export class TermExtractor {
  constructor(private readonly stopwords: ReadonlySet<string>) {}

  terms(text: string): string[] {
    const out: string[] = [];
    for (const match of text.toLowerCase().matchAll(WORD)) {
      const word = match[0].replace(/['’]s$/, '').replace(/['’-]+$/, '');
      if (word.length < 2 || this.stopwords.has(word) || /^\d{1,2}$/.test(word)) continue;
      out.push(stem(word));
    }
    return out;
  }
}

export function stem(word: string): string {
  const w = word.toLowerCase();
  if (w.length <= STEM_LENGTH)
    return w.endsWith('s') && w.length > 3 && !w.endsWith('ss') ? w.slice(0, -1) : w;
  return w.slice(0, STEM_LENGTH);
}
