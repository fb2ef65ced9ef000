import { collapseWhitespace } from '../text/whitespace';
import type { Summarizer, SummarizeRequest, Summary, SummarizerIdentity } from '../summarizer';
import { LOCAL_SUMMARIZER_IDENTITY } from '../summarizer-identity';
import { DocumentAnalyzer, type AnalyzedDocument } from './document-analyzer';
import { KeyphraseExtractor } from './keyphrase-extractor';
import { SentenceRanker } from './sentence-ranker';
import { SentenceTrimmer } from './sentence-trimmer';

const FALLBACK_TAGS = ['text', 'summary'];

/**
 * Offline extractive summarizer and tagger. Normalizes the layout (Markdown, lists, code, URLs), detects the
 * language, splits sentences, ranks them by position, centrality, title overlap and style, picks 2–3 without
 * repetition (MMR) and tags with 2–4 key phrases. Deterministic: same input, same output.
 */
export class LocalSummarizer implements Summarizer {
  readonly identity: SummarizerIdentity = LOCAL_SUMMARIZER_IDENTITY;

  private readonly analyzer = new DocumentAnalyzer();
  private readonly ranker = new SentenceRanker();
  private readonly keyphrases = new KeyphraseExtractor();
  private readonly trimmer = new SentenceTrimmer();

  summarize({ text, title, signal }: SummarizeRequest): Promise<Summary> {
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    let result: Summary;
    try {
      result = this.run(text, title);
    } catch {
      // Never fail a job over an unexpected input: fall back to the opening of the text.
      result = fallback(text);
    }
    // Runs in this process: nothing to pay.
    return Promise.resolve({ ...result, costUsd: 0 });
  }

  private run(text: string, title: string | undefined): Summary {
    const doc = this.analyzer.analyze(text, title);
    if (doc.sentences.length === 0) return fallback(text);
    const features = this.ranker.features(doc.sentences, doc.titleTerms);
    const chosen = this.ranker
      .select(features)
      .map((i) => this.trimmer.trim(doc.sentences[i].text, doc.language));
    const summary = chosen.map((s) => (doc.lowercased ? capitalize(s) : s)).join(' ');
    return { summary, tags: this.tags(doc) };
  }

  private tags(doc: AnalyzedDocument): string[] {
    const tags = this.keyphrases.extract({
      sentences: doc.head,
      title: doc.title,
      titleTokens: doc.titleTokens,
      language: doc.language,
      lowercased: doc.lowercased,
      stopwords: doc.stopwords,
      termCounts: doc.termCounts,
    });
    if (tags.length >= 2) return complete(tags, []);
    return complete(tags, frequentWords(doc.sentences.map((s) => s.text).join(' '), doc.stopwords));
  }
}

function fallback(text: string): Summary {
  const flat = collapseWhitespace(text);
  const summary =
    flat.length > 400 ? `${flat.slice(0, flat.lastIndexOf(' ', 400) + 1 || 400).trim()}…` : flat;
  return { summary: summary || '…', tags: complete([], frequentWords(flat, new Set())) };
}

/** Keeps up to four distinct tags, padding to two with frequent words, then fixed words. */
function complete(tags: readonly string[], extra: readonly string[]): string[] {
  const out: string[] = [];
  const seen: string[] = [];
  const push = (t: string) => {
    const key = t.trim().toLowerCase();
    if (!key || seen.some((s) => s.includes(key) || key.includes(s))) return;
    seen.push(key);
    out.push(t.trim());
  };
  for (const t of tags) if (out.length < 4) push(t);
  for (const t of [...extra, ...FALLBACK_TAGS]) if (out.length < 2) push(t);
  return out;
}

function frequentWords(text: string, stopwords: ReadonlySet<string>): string[] {
  const counts = new Map<string, number>();
  for (const m of text.slice(0, 50_000).matchAll(/\p{L}[\p{L}\p{N}-]*/gu)) {
    const w = m[0].toLowerCase();
    if (w.length > 2 && !stopwords.has(w)) counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, 4)
    .map(([w]) => w);
}

function capitalize(sentence: string): string {
  return sentence.replace(/^(["'(\s]*)(\p{Ll})/u, (_, pre: string, c: string) => pre + c.toUpperCase());
}
