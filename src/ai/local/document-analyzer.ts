import { LanguageDetector, type LanguageCode } from './language-detector';
import { SentenceSplitter, type SplitSentence, type TaggedToken } from '../text/sentence-splitter';
import type { RankableSentence } from './sentence-ranker';
import { StopwordList } from './stopword-list';
import { TermExtractor } from './term-extractor';
import { TextNormalizer, type TextBlock } from './text-normalizer';

/** Paragraphs ending without sentence punctuation get a full stop before tagging, so names do not run on. */
const TERMINAL = /[.!?…:;]["'”’)\]]*$/u;

/**
 * Part-of-speech tagging (the costliest step) runs on the opening of English text only: tags come from there, and
 * time and memory stay bounded.
 */
export const TAGGED_CHARS = 4_000;
/** Language, case and tokenization are judged on the opening (bounded cost on huge inputs). */
const SAMPLE_CHARS = 4000;

/** Everything the ranker and the tagger need to know about one input. */
export interface AnalyzedDocument {
  readonly language: LanguageCode;
  /** No capital letters anywhere: case carries no signal (e.g. lowercased, tokenized corpora). */
  readonly lowercased: boolean;
  /** Punctuation is split off words ("the boy 's mother , 23 ."). */
  readonly tokenized: boolean;
  readonly title?: string;
  readonly titleTerms: readonly string[];
  readonly sentences: readonly RankableSentence[];
  /** The title's words with part-of-speech tags, when a tagger exists for the language. */
  readonly titleTokens?: readonly TaggedToken[];
  /** The opening sentences, part-of-speech tagged when a tagger exists for the language, for the tagger. */
  readonly head: readonly SplitSentence[];
  readonly stopwords: ReadonlySet<string>;
  /** Occurrences of each content stem in the whole text. */
  readonly termCounts: ReadonlyMap<string, number>;
}

/** Normalizes the layout, detects the language, splits sentences and extracts content terms. */
export class DocumentAnalyzer {
  private readonly normalizer = new TextNormalizer();
  private readonly detector = new LanguageDetector();
  private readonly splitter = new SentenceSplitter();
  private readonly stopwordLists = new StopwordList();

  analyze(text: string, givenTitle?: string): AnalyzedDocument {
    const blocks = this.normalizer.normalize(text);
    const prose = blocks.filter((b) => b.kind !== 'heading');
    // Headings only when there is nothing else to summarize.
    const body = prose.length > 0 ? prose : blocks;
    const sample = prose
      .slice(0, 40)
      .map((b) => b.text)
      .join(' ')
      .slice(0, SAMPLE_CHARS);
    const language = this.detector.detect(sample || text);
    const stopwords = this.stopwordLists.for(language);
    const terms = new TermExtractor(stopwords);
    const lowercased = isLowercased(sample.slice(0, 2000));
    const tokenized = isTokenized(sample);
    const heading = blocks.find((b) => b.kind === 'heading')?.text;
    const title = givenTitle?.trim() || heading;

    const sentences: RankableSentence[] = [];
    const termCounts = new Map<string, number>();
    for (const block of body) {
      this.splitter.split(block.text, language, lowercased).forEach((split, k) => {
        const sentenceText = tokenized ? detokenize(split.text) : split.text;
        const sentenceTerms = terms.terms(sentenceText);
        for (const t of sentenceTerms) termCounts.set(t, (termCounts.get(t) ?? 0) + 1);
        sentences.push({
          text: sentenceText,
          terms: sentenceTerms,
          index: sentences.length,
          opensParagraph: k === 0,
        });
      });
    }
    const tagger = language === 'en' && !lowercased;
    return {
      language,
      lowercased,
      tokenized,
      title,
      titleTokens: tagger && title ? this.splitter.tag(title).flatMap((s) => s.tokens ?? []) : undefined,
      titleTerms: title ? terms.terms(title) : [],
      sentences,
      head: tagger ? this.tagHead(body) : sentences,
      stopwords,
      termCounts,
    };
  }

  /** Tags the opening blocks in one pass (one `readDoc` call costs far less than one per paragraph). */
  private tagHead(blocks: readonly TextBlock[]): SplitSentence[] {
    const parts: string[] = [];
    let chars = 0;
    for (const block of blocks) {
      if (chars >= TAGGED_CHARS) break;
      parts.push(TERMINAL.test(block.text) ? block.text : `${block.text}.`);
      chars += block.text.length;
    }
    return this.splitter.tag(parts.join('\n\n'));
  }
}

function isLowercased(sample: string): boolean {
  const letters = sample.match(/\p{L}/gu)?.length ?? 0;
  const upper = sample.match(/\p{Lu}/gu)?.length ?? 0;
  return letters >= 20 && upper / letters < 0.005;
}

function isTokenized(sample: string): boolean {
  const words = sample.split(' ').length;
  const detached = sample.match(/ [,.;:!?](?= |$)| n't\b| '(?:s|re|ve|ll|d|m)\b/g)?.length ?? 0;
  return words >= 10 && detached / words > 0.02;
}

/** Re-attaches punctuation split off by a tokenizer: "the boy 's mother , 23 ." → "the boy's mother, 23.". */
export function detokenize(sentence: string): string {
  return sentence
    .replace(/ ([,.;:!?%)\]}])/g, '$1')
    .replace(/([([{$£€]) /g, '$1')
    .replace(/ (n't|'s|'re|'ve|'ll|'d|'m)\b/gi, '$1')
    .replace(/(\w) - (\w)/g, '$1-$2')
    .replace(/\s+/g, ' ')
    .trim();
}
