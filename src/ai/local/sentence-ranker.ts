/** A candidate sentence with the layout facts the ranker uses. */
export interface RankableSentence {
  readonly text: string;
  /** Content terms (see TermExtractor). */
  readonly terms: readonly string[];
  /** Position among all candidate sentences, from 0. */
  readonly index: number;
  /** True for the first sentence of a paragraph or list item. */
  readonly opensParagraph: boolean;
}

/** Per-sentence features, each roughly in [0, 1]. */
export interface SentenceFeatures {
  readonly lead: number;
  readonly opensParagraph: number;
  readonly centrality: number;
  readonly title: number;
  readonly words: number;
  readonly quote: number;
  readonly question: number;
  readonly firstPerson: number;
  /** Share of words, past the first, that are capitalised (names, places): news highlights are dense in them. */
  readonly names: number;
  /** Term weights of the sentence (tf · isf), for redundancy checks. */
  readonly vector: ReadonlyMap<string, number>;
  readonly norm: number;
}

export interface RankerWeights {
  /** Decay length, in sentences, of the lead bonus exp(-index / leadDecay). */
  readonly leadDecay: number;
  readonly lead: number;
  readonly opensParagraph: number;
  readonly centrality: number;
  readonly title: number;
  readonly quote: number;
  readonly question: number;
  readonly firstPerson: number;
  readonly names: number;
  /** Penalty per word beyond {@link RankerWeights.longWords}. */
  readonly long: number;
  readonly longWords: number;
  /** Penalty for sentences under {@link RankerWeights.shortWords} words. */
  readonly short: number;
  readonly shortWords: number;
  /** Weight of the cosine similarity to already chosen sentences (maximal marginal relevance). */
  readonly redundancy: number;
  /** Word budget: a third sentence is added only if the summary stays under it. */
  readonly wordBudget: number;
}

/** Tuned on cnndm-dev plus the even half of cnn-corpus-dev; see docs/local-summarizer.md. */
export const DEFAULT_WEIGHTS: RankerWeights = {
  leadDecay: 9,
  lead: 1,
  opensParagraph: 0,
  centrality: 0.66,
  title: 1.2,
  quote: 0.25,
  question: 0.225,
  firstPerson: 0.243,
  names: 0.4,
  long: 0.009,
  longWords: 35,
  short: 0.42,
  shortWords: 7.7,
  redundancy: 0.8,
  wordBudget: 88,
};

const FIRST_PERSON = /\b(i|i'm|i've|me|my|we|we're|our|us)\b/i;
const QUOTE_CHARS = /["“”«»„]/;

/**
 * Scores sentences with position (lead bias), centrality (cosine to the document's tf·isf centroid), overlap with
 * the title, and style cues, then picks 2–3 with maximal marginal relevance so the summary does not repeat itself.
 */
export class SentenceRanker {
  constructor(private readonly weights: RankerWeights = DEFAULT_WEIGHTS) {}

  features(sentences: readonly RankableSentence[], titleTerms: readonly string[]): SentenceFeatures[] {
    const sentenceFrequency = new Map<string, number>();
    for (const s of sentences)
      for (const t of new Set(s.terms)) sentenceFrequency.set(t, (sentenceFrequency.get(t) ?? 0) + 1);
    const n = sentences.length;
    const isf = (t: string) => Math.log(1 + n / (sentenceFrequency.get(t) ?? 1));
    const centroid = new Map<string, number>();
    const vectors = sentences.map((s) => {
      const v = new Map<string, number>();
      for (const t of s.terms) v.set(t, (v.get(t) ?? 0) + 1);
      for (const [t, tf] of v) {
        const w = tf * isf(t);
        v.set(t, w);
        centroid.set(t, (centroid.get(t) ?? 0) + w);
      }
      return v;
    });
    const centroidNorm = norm(centroid);
    const title = new Set(titleTerms);
    return sentences.map((s, i) => {
      const v = vectors[i];
      const vNorm = norm(v);
      let dot = 0;
      for (const [t, w] of v) dot += w * (centroid.get(t) ?? 0);
      let titleHits = 0;
      for (const t of title) if (v.has(t)) titleHits++;
      return {
        lead: s.index,
        opensParagraph: s.opensParagraph ? 1 : 0,
        centrality: vNorm > 0 && centroidNorm > 0 ? dot / (vNorm * centroidNorm) : 0,
        title: title.size > 0 ? titleHits / title.size : 0,
        words: s.text.split(' ').length,
        quote: QUOTE_CHARS.test(s.text) ? 1 : 0,
        question: s.text.trimEnd().endsWith('?') ? 1 : 0,
        firstPerson: FIRST_PERSON.test(s.text) ? 1 : 0,
        names: capitalisedShare(s.text),
        vector: v,
        norm: vNorm,
      };
    });
  }

  score(f: SentenceFeatures): number {
    const w = this.weights;
    return (
      w.lead * Math.exp(-f.lead / w.leadDecay) +
      w.opensParagraph * f.opensParagraph +
      w.centrality * f.centrality +
      w.title * f.title -
      w.quote * f.quote -
      w.question * f.question -
      w.firstPerson * f.firstPerson +
      w.names * f.names +
      -w.long * Math.max(0, f.words - w.longWords) -
      (f.words < w.shortWords ? w.short : 0)
    );
  }

  /** Indexes (ascending) of the 2–3 sentences to show; all of them when there are at most two. */
  select(features: readonly SentenceFeatures[]): number[] {
    if (features.length <= 2) return features.map((_, i) => i);
    const base = features.map((f) => this.score(f));
    const chosen: number[] = [];
    let words = 0;
    while (chosen.length < 3) {
      let best = -1;
      let bestScore = -Infinity;
      for (let i = 0; i < features.length; i++) {
        if (chosen.includes(i)) continue;
        let overlap = 0;
        for (const j of chosen) overlap = Math.max(overlap, cosine(features[i], features[j]));
        const s = base[i] - this.weights.redundancy * overlap;
        if (s > bestScore) {
          bestScore = s;
          best = i;
        }
      }
      if (best < 0) break;
      if (chosen.length >= 2 && words + features[best].words > this.weights.wordBudget) break;
      chosen.push(best);
      words += features[best].words;
    }
    return chosen.sort((a, b) => a - b);
  }
}

function norm(v: ReadonlyMap<string, number>): number {
  let s = 0;
  for (const w of v.values()) s += w * w;
  return Math.sqrt(s);
}

function cosine(a: SentenceFeatures, b: SentenceFeatures): number {
  if (a.norm === 0 || b.norm === 0) return 0;
  const [small, large] = a.vector.size <= b.vector.size ? [a.vector, b.vector] : [b.vector, a.vector];
  let dot = 0;
  for (const [t, w] of small) dot += w * (large.get(t) ?? 0);
  return dot / (a.norm * b.norm);
}

function capitalisedShare(text: string): number {
  const words = text.split(' ');
  if (words.length < 2) return 0;
  let capitalised = 0;
  for (let i = 1; i < words.length; i++) if (/^["'“(]?\p{Lu}\p{L}/u.test(words[i])) capitalised++;
  return capitalised / (words.length - 1);
}
