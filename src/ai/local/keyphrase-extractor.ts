import type { LanguageCode } from './language-detector';
import type { TaggedToken } from '../text/sentence-splitter';
import { stem } from './term-extractor';

/** Tags come from the opening of the text (where news and most documents state their topic); bounds the cost. */
const HEAD_CHARS = 12_000;
const MAX_PHRASE_WORDS = 3;
const MIN_TAGS = 2;
const MAX_TAGS = 3;
/** Tags scoring below this share of the best one are dropped (down to {@link MIN_TAGS}). */
const RELATIVE_CUTOFF = 0.75;
/** Names of people, places and organisations are what readers tag with; common nouns need more evidence. */
const PROPER_BONUS = 2;
/** A lone common noun ("lawyer", "money") is rarely what a text is about. */
const SINGLE_NOUN_FACTOR = 1;
/** A lone common noun must recur in the body: a title word alone ("lawyer", "mom") is seldom the topic. */
const MIN_BODY_COUNT = 2;
/** A title names the topic; phrases from it are the likeliest tags. */
const TITLE_BONUS = 5;

const WORD = /\p{L}[\p{L}\p{N}'’-]*/gu;
/** Words, and single punctuation marks that end a phrase. */
const TOKEN = /\p{L}[\p{L}\p{N}'’-]*|[,;:()"“”«»!?.]/gu;
/** Titles before names ("Mr. Pistorius" is tagged "Pistorius", then folded into "Oscar Pistorius"). */
const HONORIFIC =
  /^(?:mr|mrs|ms|miss|dr|prof|sir|dame|lord|lady|sen|rep|gov|gen|sr|sra|srta|dña|don|doña|mme|mlle|herr|frau|sig|sig\.ra)\.?$/;
const ELISION = /^(?:l|d|j|m|n|s|t|c|qu|all|dell|nell|sull|dall)['’]/iu;

interface Token {
  readonly text: string;
  /** Universal POS tag: PROPN, NOUN, ADJ, … ("X" when unknown). */
  readonly pos: string;
  readonly sentenceStart: boolean;
}

interface Candidate {
  readonly key: string;
  readonly stems: readonly string[];
  surfaces: Map<string, number>;
  count: number;
  /** Occurrences outside the title. */
  body: number;
  first: number;
  proper: boolean;
}

export interface KeyphraseInput {
  /** Sentences in order, with part-of-speech tags when a tagger ran (English). */
  readonly sentences: ReadonlyArray<{ readonly text: string; readonly tokens?: readonly TaggedToken[] }>;
  readonly title?: string;
  /** The title's words with part-of-speech tags (English). */
  readonly titleTokens?: readonly TaggedToken[];
  readonly language: LanguageCode;
  /** The text is all lowercase (case carries no signal). */
  readonly lowercased: boolean;
  readonly stopwords: ReadonlySet<string>;
  /** How often each stem occurs in the whole text. */
  readonly termCounts: ReadonlyMap<string, number>;
}

/**
 * Picks 2–4 tags a person would choose: proper nouns and noun phrases in their natural case, found with
 * `wink-nlp`'s part-of-speech tagger for English and capitalisation plus stopword boundaries elsewhere; scored by
 * frequency, first position and presence in the title; near-duplicates merged ("airship"/"airships", "McIlroy"
 * into "Rory McIlroy").
 */
export class KeyphraseExtractor {
  extract(input: KeyphraseInput): string[] {
    const head: Array<{ readonly text: string; readonly tokens?: readonly TaggedToken[] }> = [];
    let chars = 0;
    for (const s of input.sentences) {
      if (chars > HEAD_CHARS) break;
      head.push(s);
      chars += s.text.length;
    }
    const titleStems = new Set(input.title ? this.words(input.title).map((w) => stem(w)) : []);
    const candidates = new Map<string, Candidate>();
    const sentences = [...(input.title ? [{ text: input.title, tokens: input.titleTokens }] : []), ...head];
    const tokenized = sentences.map((s) => (s.tokens ? tagged(s.tokens) : this.tokens(s.text, input)));
    if (!input.lowercased) promoteKnownNames(tokenized, sentences, input.stopwords);
    tokenized.forEach((tokens, index) => {
      for (const phrase of this.phrases(tokens, input, sentences[index].tokens !== undefined))
        this.add(candidates, phrase, index, input.stopwords, input.title !== undefined && index === 0);
    });
    mergeNames(candidates);
    // Without a tagger a lowercase word may be a verb ("aprobó", "anunció"); the same verb form seldom recurs
    // three times, the topic's nouns do.
    const minBody = head.some((s) => s.tokens) ? MIN_BODY_COUNT : MIN_BODY_COUNT + 1;

    const scored = [...candidates.values()]
      .map((c) => {
        const inTitle = c.stems.filter((s) => titleStems.has(s)).length / c.stems.length;
        const corpus = c.stems.reduce((sum, s) => sum + (input.termCounts.get(s) ?? 0), 0) / c.stems.length;
        const frequency = c.count + 0.25 * corpus;
        const score =
          frequency *
          (1 + TITLE_BONUS * inTitle) *
          (c.proper ? PROPER_BONUS : 1) *
          (1 + 1 / (1 + c.first / 3)) *
          (c.stems.length > 1 ? 1.15 : c.proper ? 1 : SINGLE_NOUN_FACTOR);
        return { c, score, surface: bestSurface(c) };
      })
      .filter(
        (x) =>
          x.c.count + (titleStems.size > 0 && x.c.stems.every((s) => titleStems.has(s)) ? 1 : 0) >= 2 &&
          (x.c.proper || x.c.stems.length > 1 || x.c.body >= minBody),
      )
      .sort((a, b) => b.score - a.score || a.c.first - b.c.first || a.surface.localeCompare(b.surface));

    const tags: string[] = [];
    const used: string[][] = [];
    for (const x of scored) {
      if (tags.length >= MAX_TAGS) break;
      // Beyond two, only a name the title also gives, about as strong as the best ("Angelina Jolie and Brad Pitt
      // married"): on CNN's keyword rows, other third tags were wrong five times out of six.
      if (tags.length >= MIN_TAGS) {
        if (x.score < RELATIVE_CUTOFF * scored[0].score) break;
        if (!x.c.proper || !x.c.stems.every((s) => titleStems.has(s))) continue;
      }
      if (used.some((u) => overlaps(u, x.c.stems))) continue;
      tags.push(x.surface);
      used.push([...x.c.stems]);
    }
    return tags;
  }

  private words(text: string): string[] {
    return text.match(WORD) ?? [];
  }

  private tokens(sentence: string, input: KeyphraseInput): Token[] {
    // No tagger: capitalised words (not first in the sentence) are proper nouns, other non-stopwords nouns.
    // Punctuation is kept as a token so that "Sinatra, Tupac" or "ministra de Inclusión, Elma Saiz" do not run on.
    const out: Token[] = [];
    let first = true;
    for (const match of sentence.matchAll(TOKEN)) {
      let text = match[0];
      if (!/^\p{L}/u.test(text)) {
        out.push({ text, pos: 'PUNCT', sentenceStart: false });
        continue;
      }
      // French and Italian elision: "l'Économie", "d'euros" — the article is a boundary, the word stands alone.
      const elided = ELISION.exec(text);
      if (elided && text.length > elided[0].length) {
        out.push({ text: elided[0], pos: 'DET', sentenceStart: first });
        text = text.slice(elided[0].length);
        first = false;
      }
      const capitalised = /^\p{Lu}/u.test(text);
      out.push({
        text,
        pos: input.lowercased
          ? 'NOUN'
          : capitalised && (!first || input.language === 'de')
            ? 'PROPN'
            : 'NOUN',
        sentenceStart: first,
      });
      first = false;
    }
    return out;
  }

  /** Maximal runs of proper nouns, and of adjectives + nouns, cut to at most three words. */
  private phrases(
    tokens: readonly Token[],
    input: KeyphraseInput,
    tagged: boolean,
  ): Array<{ words: Token[]; proper: boolean }> {
    const out: Array<{ words: Token[]; proper: boolean }> = [];
    let run: Token[] = [];
    const flush = () => {
      // Trim leading/trailing adjectives: "big crowds" -> "crowds"; keep ADJ inside ("Arctic transportation").
      while (run.length > 0 && run[run.length - 1].pos === 'ADJ') run.pop();
      while (run.length > 0 && run[0].pos === 'ADJ' && run.length > 1 && !/^\p{Lu}/u.test(run[0].text))
        run.shift();
      if (run.length > 0 && run.length <= MAX_PHRASE_WORDS) {
        out.push({ words: run, proper: run.every((t) => t.pos === 'PROPN') });
      } else if (run.length > MAX_PHRASE_WORDS) {
        // Long noun chains: keep the head (last two words), which names the thing.
        out.push({ words: run.slice(-2), proper: run.slice(-2).every((t) => t.pos === 'PROPN') });
      }
      run = [];
    };
    for (const t of tokens) {
      const lower = t.text.toLowerCase();
      const content =
        (t.pos === 'PROPN' || t.pos === 'NOUN' || t.pos === 'ADJ') &&
        /^\p{L}[\p{L}\p{N}'’.-]*$/u.test(t.text) &&
        lower.length > 1 &&
        !HONORIFIC.test(lower) &&
        // Stopwords end a phrase, except capitalised inside names ("New Jersey", "Bank of" stays split).
        (!input.stopwords.has(lower) || (t.pos === 'PROPN' && /^\p{Lu}/u.test(t.text) && !t.sentenceStart));
      if (!content) {
        flush();
        continue;
      }
      // Switching between a proper-noun run and a common-noun run starts a new phrase,
      // except for "Arctic transportation"-style modifiers (proper followed by common nouns).
      const previous = run[run.length - 1];
      if (previous && previous.pos !== 'PROPN' && t.pos === 'PROPN') flush();
      // Other languages have no tagger: a lowercase word may be a verb, so names and lowercase words never
      // join, and lowercase words stand alone.
      else if (
        previous &&
        !tagged &&
        input.language !== 'en' &&
        (previous.pos !== 'PROPN' || t.pos !== 'PROPN')
      )
        flush();
      run.push(t);
    }
    flush();
    return out;
  }

  private add(
    candidates: Map<string, Candidate>,
    phrase: { words: Token[]; proper: boolean },
    index: number,
    stopwords: ReadonlySet<string>,
    inTitle: boolean,
  ): void {
    const words = phrase.words.map((t) => t.text.replace(/['’]s$/, ''));
    if (words.some((w) => w.length < 2) || words.every((w) => stopwords.has(w.toLowerCase()))) return;
    if (stopwords.has(words[words.length - 1].toLowerCase())) return;
    const stems = words.map((w) => stem(w));
    const key = stems.join(' ');
    // Natural case: a common noun capitalised only because it starts the sentence is written in lowercase.
    const surface = words
      .map((w, i) => (phrase.words[i].sentenceStart && phrase.words[i].pos !== 'PROPN' ? w.toLowerCase() : w))
      .join(' ');
    let c = candidates.get(key);
    if (!c) {
      c = { key, stems, surfaces: new Map(), count: 0, body: 0, first: index, proper: phrase.proper };
      candidates.set(key, c);
    }
    c.count++;
    if (!inTitle) c.body++;
    c.proper ||= phrase.proper && !phrase.words[0].sentenceStart;
    c.surfaces.set(surface, (c.surfaces.get(surface) ?? 0) + (phrase.words[0].sentenceStart ? 0.5 : 1));
  }
}

/**
 * Without a tagger, a capitalised first word of a sentence may be a name or just the sentence start: it is a name
 * when the text also capitalises it elsewhere, mid-sentence ("Bruno Le Maire a défendu …" after "…, Bruno Le Maire,").
 */
function promoteKnownNames(
  sentences: Token[][],
  source: ReadonlyArray<{ readonly tokens?: readonly TaggedToken[] }>,
  stopwords: ReadonlySet<string>,
): void {
  const names = new Set<string>();
  sentences.forEach((tokens, k) => {
    if (source[k].tokens) return;
    for (const t of tokens) if (t.pos === 'PROPN' && !t.sentenceStart) names.add(t.text);
  });
  sentences.forEach((tokens, k) => {
    if (source[k].tokens) return;
    const first = tokens.findIndex((t) => t.pos !== 'PUNCT');
    const t = tokens[first];
    if (t && t.pos === 'NOUN' && names.has(t.text) && !stopwords.has(t.text.toLowerCase()))
      tokens[first] = { ...t, pos: 'PROPN' };
  });
}

function tagged(tokens: readonly TaggedToken[]): Token[] {
  return tokens.map((t, i) => ({ text: t.text, pos: t.pos, sentenceStart: i === 0 }));
}

/** Folds one-word proper nouns into the one longer name that holds them ("McIlroy", "Rory" → "Rory McIlroy"). */
function mergeNames(candidates: Map<string, Candidate>): void {
  const names = [...candidates.values()].filter((c) => c.proper && c.stems.length > 1);
  for (const single of [...candidates.values()]) {
    if (single.stems.length !== 1 || !single.proper) continue;
    const owner = names
      .filter((n) => n.stems.includes(single.stems[0]))
      .sort((a, b) => b.count - a.count || a.stems.length - b.stems.length || a.first - b.first)[0];
    if (!owner) continue;
    owner.count += single.count;
    owner.first = Math.min(owner.first, single.first);
    candidates.delete(single.key);
  }
}

function bestSurface(c: Candidate): string {
  return [...c.surfaces.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0][0];
}

/** Same stem anywhere in both: "airship" vs "airships", "Supreme Court" vs "Court". */
function overlaps(a: readonly string[], b: readonly string[]): boolean {
  return a.some((s) => b.includes(s));
}
