import winkNLP, { type ItemSentence } from 'wink-nlp';
import model from 'wink-eng-lite-web-model';
import type { LanguageCode } from '../local/language-detector';
import { collapseWhitespace } from './whitespace';

/** Longer runs (captions glued together, unpunctuated text) are cut into pieces of about {@link CHUNK_WORDS}. */
const MAX_SENTENCE_WORDS = 70;
const CHUNK_WORDS = 30;
const HAS_WORD = /[\p{L}\p{N}]/u;
const ABBREVIATED_END = /([\p{L}.]+)\.\s*$/u;
const DOTTED = /^(?:\p{L}\.)+\p{L}$/u;

/**
 * The one list of abbreviations after which `Intl.Segmenter` wrongly ends a sentence, per language (lowercase, no
 * dot). Initials ("J.") and dotted forms ("U.S.", "e.g.", "z.B.") need no entry.
 */
const ABBREVIATIONS: Readonly<Record<LanguageCode, string>> = {
  en:
    'mr mrs ms dr prof st jr sr vs etc inc ltd co corp gen sen rep gov lt col sgt capt no fig approx dept ' +
    'jan feb mar apr jun jul aug sep sept oct nov dec',
  es: 'sr sra srta dr dra d dña ud uds etc pág núm art ej av prof lic ing gral',
  fr: 'm mm mme mlle dr pr st ste etc av bd no p',
  de: 'z.b usw bzw ca dr prof hr fr nr str vgl evtl u.a d.h s bspw inkl',
  pt: 'sr sra srta dr dra prof av etc pág nº v.exa',
  it: 'sig sigra dott prof ecc avv ing on',
  nl: 'dhr mevr dr prof bijv enz nr mr',
};

type WinkNlp = ReturnType<typeof winkNLP>;

/** A word or punctuation token with its universal part-of-speech tag (PROPN, NOUN, ADJ, VERB, …). */
export interface TaggedToken {
  readonly text: string;
  readonly pos: string;
}

/** A sentence, with its tagged tokens when the language has a tagger (English) and tagging was asked for. */
export interface SplitSentence {
  readonly text: string;
  readonly tokens?: readonly TaggedToken[];
}

/**
 * A language's rules, or `any` for text of unknown language (model output): ICU's root rules and the English list.
 * Not every list at once: another language's abbreviation can be an everyday word (Italian "on.", French "m.").
 */
export type SplitLanguage = LanguageCode | 'any';

/**
 * The one sentence splitter (the local summarizer, the output validator and the input budget all use it). Splits
 * prose into sentences: ICU's `Intl.Segmenter` plus a per-language abbreviation list for cased text (fast,
 * and as good as a tokenizer on edited prose), `wink-nlp`'s sentence boundary detector for caseless English
 * (lowercased, tokenized corpora, where ICU finds no boundaries), and fixed word windows as a last resort for text
 * without sentence punctuation. {@link SentenceSplitter.tag} runs `wink-nlp`'s part-of-speech tagger, which costs
 * more than splitting, so callers tag only the opening of a text.
 */
export class SentenceSplitter {
  // Built on first use: the two wink instances cost ~120 ms and ~40 MB RSS to build (Node 20, commit 4600dce), and a
  // process that only serves the API holds the local summarizer for its identity (the cache key) and never splits
  // anything.
  private nlpInstance: WinkNlp | undefined;
  private taggerInstance: WinkNlp | undefined;
  private readonly segmenters = new Map<SplitLanguage, Intl.Segmenter>();
  private readonly abbreviations = new Map<SplitLanguage, ReadonlySet<string>>();

  private get nlp(): WinkNlp {
    return (this.nlpInstance ??= winkNLP(model, ['sbd']));
  }

  private get tagger(): WinkNlp {
    return (this.taggerInstance ??= winkNLP(model, ['sbd', 'pos']));
  }

  /**
   * Sentences for summarizing: over-long runs are cut into pieces so no unit dominates.
   * @param caseless the text has no capital letters (sentence starts cannot be recognised by case)
   */
  split(text: string, language: SplitLanguage, caseless = false): SplitSentence[] {
    const raw =
      language === 'en' && caseless ? this.nlp.readDoc(text).sentences().out() : this.icu(text, language);
    return tidy(raw.map((t) => ({ text: t })));
  }

  /** The sentences of cased text as written (white space collapsed, nothing cut), e.g. to count or cut at them. */
  sentences(text: string, language: SplitLanguage = 'any'): string[] {
    return tidy(
      this.icu(text, language).map((t) => ({ text: t })),
      false,
    ).map((sentence) => sentence.text);
  }

  /** Sentences of English text with their words' universal part-of-speech tags. */
  tag(text: string): SplitSentence[] {
    const doc = this.tagger.readDoc(text);
    const its = this.tagger.its;
    const out: SplitSentence[] = [];
    doc.sentences().each((sentence: ItemSentence) => {
      const tokens = sentence.tokens();
      const words = tokens.out();
      // eslint-disable-next-line @typescript-eslint/unbound-method -- wink's `its` helpers are plain functions
      const tags = tokens.out(its.pos);
      out.push({
        text: sentence.out(),
        tokens: words.map((w: string, i: number) => ({ text: w, pos: tags[i] ?? 'X' })),
      });
    });
    return tidy(out);
  }

  /** Where each sentence of `text` ends, as offsets into `text` (the last is `text.length`). */
  sentenceEnds(text: string, language: SplitLanguage = 'any'): number[] {
    let at = 0;
    return this.icu(text, language).map((piece) => (at += piece.length));
  }

  private icu(text: string, language: SplitLanguage): string[] {
    let segmenter = this.segmenters.get(language);
    if (!segmenter) {
      segmenter = new Intl.Segmenter(language === 'any' ? undefined : language, { granularity: 'sentence' });
      this.segmenters.set(language, segmenter);
    }
    const abbreviations = this.abbreviationsFor(language);
    const out: string[] = [];
    let pending = '';
    for (const { segment } of segmenter.segment(text)) {
      pending += segment;
      const lastWord = ABBREVIATED_END.exec(pending)?.[1]?.toLowerCase();
      // Initials ("J. Smith"), dotted abbreviations ("U.S.", "a.m.") and listed ones ("Dr.") end no sentence.
      const abbreviated =
        lastWord !== undefined &&
        (lastWord.length === 1 || DOTTED.test(lastWord) || abbreviations.has(lastWord));
      if (!abbreviated) {
        out.push(pending);
        pending = '';
      }
    }
    if (pending) out.push(pending);
    return out;
  }

  private abbreviationsFor(language: SplitLanguage): ReadonlySet<string> {
    let set = this.abbreviations.get(language);
    if (!set) {
      set = new Set(ABBREVIATIONS[language === 'any' ? 'en' : language].split(' '));
      this.abbreviations.set(language, set);
    }
    return set;
  }
}

/** Drops empty pieces (a lone closing quote joins the sentence before it) and, with `cut`, cuts over-long runs. */
function tidy(raw: readonly SplitSentence[], cut = true): SplitSentence[] {
  const out: SplitSentence[] = [];
  for (const sentence of raw) {
    const clean = collapseWhitespace(sentence.text);
    if (!HAS_WORD.test(clean)) {
      const last = out[out.length - 1];
      if (clean && last) out[out.length - 1] = { ...last, text: last.text + clean };
      continue;
    }
    const pieces = cut ? chunkLong(clean) : [clean];
    if (pieces.length === 1) out.push({ text: clean, tokens: sentence.tokens });
    else out.push(...pieces.map((p) => ({ text: p })));
  }
  return out;
}

/** Cuts an over-long "sentence" at clause punctuation, then into word windows, so no unit dominates the summary. */
function chunkLong(sentence: string): string[] {
  // Cheap exit for the usual case: at most MAX_SENTENCE_WORDS - 1 spaces.
  let spaces = 0;
  for (
    let at = sentence.indexOf(' ');
    at >= 0 && spaces < MAX_SENTENCE_WORDS;
    at = sentence.indexOf(' ', at + 1)
  )
    spaces++;
  if (spaces < MAX_SENTENCE_WORDS) return [sentence];
  const words = sentence.split(' ');
  if (words.length <= MAX_SENTENCE_WORDS) return [sentence];
  const out: string[] = [];
  for (let i = 0; i < words.length; i += CHUNK_WORDS) {
    // Avoid a tiny tail: fold the last < half window into the previous piece.
    const end = words.length - (i + CHUNK_WORDS) < CHUNK_WORDS / 2 ? words.length : i + CHUNK_WORDS;
    out.push(words.slice(i, end).join(' '));
    if (end === words.length) break;
  }
  return out;
}
