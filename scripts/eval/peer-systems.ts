import { createRequire } from 'node:module';
import {
  AbsoluteSummarizerConfig,
  DefaultTextParser,
  NullLogger,
  SorensenDiceSimilarity,
  Summarizer,
} from 'ts-textrank';

/** A peer summarizer or tagger run on the same rows as ours. */
export interface PeerSystem {
  readonly name: string;
  readonly kind: 'summary' | 'tags';
  run(text: string): Promise<string[]>;
}

const load = createRequire(__filename);

interface LexrankLine {
  readonly text: string;
  readonly index: number;
}
interface LexrankModule {
  summarize(
    text: string,
    lines: number,
    callback: (err: Error | false, topLines: LexrankLine[], text: string) => void,
  ): void;
}
interface NodeSummarizerModule {
  SummarizerManager: new (
    text: string,
    sentences: number,
  ) => {
    getSummaryByRank(): Promise<{ summary?: string } | string>;
    getSummaryByFrequency(): { summary?: string };
  };
}
interface KeywordExtractorModule {
  extract(
    text: string,
    options: {
      language: string;
      remove_digits: boolean;
      return_changed_case: boolean;
      remove_duplicates: boolean;
    },
  ): string[];
}

const lexrank = load('lexrank') as LexrankModule;
const nodeSummarizer = load('node-summarizer') as NodeSummarizerModule;
const keywordExtractor = load('keyword-extractor') as KeywordExtractorModule;

const SENTENCES = 3;

export const lexrankPeer: PeerSystem = {
  name: 'lexrank',
  kind: 'summary',
  run: (text) =>
    new Promise((resolve, reject) => {
      lexrank.summarize(text, SENTENCES, (err, topLines) => {
        if (err) reject(err);
        else resolve([...topLines].sort((a, b) => a.index - b.index).map((l) => l.text));
      });
    }),
};

export const nodeSummarizerPeer: PeerSystem = {
  name: 'node-summarizer (TextRank)',
  kind: 'summary',
  run: async (text) => {
    const result = await new nodeSummarizer.SummarizerManager(text, SENTENCES).getSummaryByRank();
    return [typeof result === 'string' ? result : (result.summary ?? '')];
  },
};

export const nodeSummarizerFrequencyPeer: PeerSystem = {
  name: 'node-summarizer (frequency)',
  kind: 'summary',
  run: (text) =>
    Promise.resolve([
      new nodeSummarizer.SummarizerManager(text, SENTENCES).getSummaryByFrequency().summary ?? '',
    ]),
};

const textrank = new Summarizer(
  new AbsoluteSummarizerConfig(
    SENTENCES,
    new SorensenDiceSimilarity(),
    new DefaultTextParser(),
    0.85,
    Summarizer.SORT_OCCURENCE,
  ),
  new NullLogger(),
);

export const tsTextrankPeer: PeerSystem = {
  name: 'ts-textrank',
  kind: 'summary',
  run: (text) => Promise.resolve(textrank.summarize(text, 'en')),
};

export const keywordExtractorPeer: PeerSystem = {
  name: 'keyword-extractor',
  kind: 'tags',
  run: (text) =>
    Promise.resolve(
      keywordExtractor
        .extract(text, {
          language: 'english',
          remove_digits: true,
          return_changed_case: true,
          remove_duplicates: true,
        })
        .slice(0, 4),
    ),
};

interface RetextResult {
  keywords: string[];
  keyphrases: string[];
}

/** retext + retext-english + retext-pos + retext-keywords (ESM only, so loaded on first use). */
async function retextKeywords(text: string): Promise<RetextResult> {
  const [{ retext }, { default: english }, { default: pos }, { default: keywords }, { toString }] =
    await Promise.all([
      import('retext'),
      import('retext-english'),
      import('retext-pos'),
      import('retext-keywords'),
      import('nlcst-to-string'),
    ]);
  const file = await retext().use(english).use(pos).use(keywords).process(text);
  return {
    keywords: (file.data.keywords ?? []).slice(0, 4).map((k) => toString(k.matches[0].node)),
    keyphrases: (file.data.keyphrases ?? []).slice(0, 4).map((k) => toString(k.matches[0].nodes)),
  };
}

export const retextKeywordsPeer: PeerSystem = {
  name: 'retext-keywords (keywords)',
  kind: 'tags',
  run: async (text) => (await retextKeywords(text)).keywords,
};

export const retextKeyphrasesPeer: PeerSystem = {
  name: 'retext-keywords (keyphrases)',
  kind: 'tags',
  run: async (text) => (await retextKeywords(text)).keyphrases,
};

export const PEERS: readonly PeerSystem[] = [
  lexrankPeer,
  nodeSummarizerPeer,
  nodeSummarizerFrequencyPeer,
  tsTextrankPeer,
  keywordExtractorPeer,
  retextKeywordsPeer,
  retextKeyphrasesPeer,
];
