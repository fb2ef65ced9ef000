import type { Summarizer, SummarizeRequest, Summary, SummarizerIdentity } from '../summarizer';

const STOPWORDS = new Set(
  'a an the and or but if of to in on at by for with from as is are was were be been being it its this that these those he she they we you i his her their our your not no so than then there here what which who whom when where why how all any each few more most other some such only own same too very can will just should now into over after before about also said says'.split(
    ' ',
  ),
);

/**
 * Offline extractive summarizer: picks the highest-scoring sentences (word frequency with a lead bonus) in their
 * original order, and tags with the most frequent content words. Deterministic for a given input.
 */
export class LocalSummarizer implements Summarizer {
  readonly identity: SummarizerIdentity = { provider: 'local', model: 'extractive', promptVersion: '1' };

  summarize({ text }: SummarizeRequest): Promise<Summary> {
    const sentences = splitSentences(text);
    const words = (s: string) => s.toLowerCase().match(/\p{L}[\p{L}\p{N}'-]*/gu) ?? [];
    const freq = new Map<string, number>();
    for (const w of words(text)) if (!STOPWORDS.has(w) && w.length > 2) freq.set(w, (freq.get(w) ?? 0) + 1);
    const scored = sentences.map((s, i) => {
      const ws = words(s).filter((w) => freq.has(w));
      const score = ws.reduce((sum, w) => sum + (freq.get(w) ?? 0), 0) / Math.sqrt(ws.length + 1);
      return { i, s, score: score * (i < 3 ? 1.5 : 1) };
    });
    const picked = [...scored]
      .sort((a, b) => b.score - a.score || a.i - b.i)
      .slice(0, Math.min(3, sentences.length))
      .sort((a, b) => a.i - b.i);
    const tags = [...freq.entries()]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, 4)
      .map(([w]) => w);
    while (tags.length < 2) tags.push(tags.length === 0 ? 'text' : 'general');
    return Promise.resolve({ summary: picked.map((p) => p.s).join(' '), tags });
  }
}

function splitSentences(text: string): string[] {
  const flat = text.replace(/\s+/g, ' ').trim();
  const parts = flat.split(/(?<=[.!?])\s+(?=["'(\p{Lu}\p{N}])/u).filter((s) => s.length > 0);
  return parts.length > 0 ? parts : [flat];
}
