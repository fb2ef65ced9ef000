/**
 * npm run eval:extraction [-- --json out.json] [-- --only NAME]
 *
 * Measures article extraction on the real saved pages in ../shared/eval/web-pages-dev (override with
 * EVAL_WEB_PAGES_DIR). Each `source.html` is served as-is from a local server on 127.0.0.1 (Content-Type `text/html`
 * with no charset, so charset detection is exercised too), fetched through SafeFetcher with that host:port
 * allow-listed, extracted with ArticleExtractor, and compared with the text of `expected.html` (the body Mozilla's
 * reader view extracts): bag-of-words precision, recall and F1 over lowercased Unicode letter/digit tokens.
 * A page "matches closely" when F1 >= 0.9. The data is read in place, never copied into the project.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parseHTML } from 'linkedom';
import { ArticleExtractor, blockText, type ExtractedArticle } from '../src/content/article-extractor';
import { ContentFetchError } from '../src/content/content-errors';
import { SafeFetcher } from '../src/content/safe-fetcher';

const CLOSE_F1 = 0.9;
// CONTENT_MIN_CHARS's default; extraction itself is scored with no minimum so short test pages still get a score.
const DEFAULT_MIN_CHARS = 200;

const args = process.argv.slice(2);
const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : undefined;
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const dataDir = path.resolve(
  process.env.EVAL_WEB_PAGES_DIR ?? path.join(__dirname, '..', '..', 'shared', 'eval', 'web-pages-dev'),
);

interface PageResult {
  name: string;
  precision: number;
  recall: number;
  f1: number;
  /** F1 of the whole page's visible text (no Readability): what extraction adds over stripping tags. */
  baselineF1: number;
  /** Order-aware (longest common token subsequence) F1 of ours and of the baseline. */
  sequenceF1: number;
  baselineSequenceF1: number;
  method: ExtractedArticle['method'] | 'failed';
  chars: number;
  expectedChars: number;
  titleMatches: boolean;
  /** Extracted text identical, character for character, to the reader view's (both through blockText). */
  exact: boolean;
  /** Would the default CONTENT_MIN_CHARS have failed the page? */
  belowMinChars: boolean;
  error?: string;
}

function tokenList(text: string): string[] {
  return Array.from(
    text
      .normalize('NFKC')
      .toLowerCase()
      .matchAll(/[\p{L}\p{N}]+/gu),
    ([token]) => token,
  );
}

function tokens(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const token of tokenList(text)) counts.set(token, (counts.get(token) ?? 0) + 1);
  return counts;
}

// Order-aware check (ROUGE-L style): F1 of the longest common token subsequence. Bag-of-words F1 forgives text in the
// wrong order; this does not. Skipped (NaN) above this many DP cells to keep the run bounded.
const MAX_LCS_CELLS = 400_000_000;

function sequenceF1(predicted: string, expected: string): number {
  const a = tokenList(predicted);
  const b = tokenList(expected);
  if (a.length === 0 || b.length === 0) return a.length === b.length ? 1 : 0;
  if (a.length * b.length > MAX_LCS_CELLS) return Number.NaN;
  let previous = new Uint32Array(b.length + 1);
  let current = new Uint32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      current[j] = a[i - 1] === b[j - 1] ? previous[j - 1] + 1 : Math.max(previous[j], current[j - 1]);
    }
    [previous, current] = [current, previous];
  }
  const lcs = previous[b.length];
  const precision = lcs / a.length;
  const recall = lcs / b.length;
  return lcs === 0 ? 0 : (2 * precision * recall) / (precision + recall);
}

function score(predicted: string, expected: string): { precision: number; recall: number; f1: number } {
  const p = tokens(predicted);
  const e = tokens(expected);
  let overlap = 0;
  let pTotal = 0;
  let eTotal = 0;
  for (const count of p.values()) pTotal += count;
  for (const [token, count] of e) {
    eTotal += count;
    overlap += Math.min(count, p.get(token) ?? 0);
  }
  if (pTotal === 0 && eTotal === 0) return { precision: 1, recall: 1, f1: 1 };
  const precision = pTotal === 0 ? 0 : overlap / pTotal;
  const recall = eTotal === 0 ? 0 : overlap / eTotal;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}

function expectedText(html: string): string {
  const { document } = parseHTML(`<!doctype html><html><body>${html}</body></html>`) as unknown as {
    document: { body: Parameters<typeof blockText>[0] };
  };
  return blockText(document.body);
}

function normalizeTitle(title: string | null | undefined): string {
  return (title ?? '').replace(/\s+/g, ' ').trim();
}

async function main(): Promise<void> {
  if (!existsSync(dataDir)) {
    console.error(`Evaluation data is absent: ${dataDir} does not exist. Nothing was measured.`);
    process.exitCode = 2;
    return;
  }
  const names = readdirSync(dataDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(dataDir, entry.name, 'source.html')))
    .map((entry) => entry.name)
    .filter((name) => only === undefined || name === only)
    .sort();

  const server = createServer((req, res) => {
    const name = decodeURIComponent((req.url ?? '/').split('/')[1] ?? '');
    if (!names.includes(name)) {
      res.writeHead(404).end();
      return;
    }
    res
      .writeHead(200, { 'content-type': 'text/html' })
      .end(readFileSync(path.join(dataDir, name, 'source.html')));
  });
  // Loopback only, ephemeral port.
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const fetcher = new SafeFetcher({
    allowedHosts: [`127.0.0.1:${port}`],
    connectTimeoutMs: 5_000,
    timeoutMs: 15_000,
    maxBytes: 5_242_880,
    maxRedirects: 5,
  });
  const extractor = new ArticleExtractor({ minChars: 1 });
  const baseline = new ArticleExtractor({ minChars: 0, useReadability: false });

  const results: PageResult[] = [];
  try {
    for (const name of names) {
      const expected = expectedText(readFileSync(path.join(dataDir, name, 'expected.html'), 'utf8'));
      const metadataPath = path.join(dataDir, name, 'expected-metadata.json');
      const expectedTitle = existsSync(metadataPath)
        ? normalizeTitle((JSON.parse(readFileSync(metadataPath, 'utf8')) as { title?: string }).title)
        : '';
      try {
        const document = await fetcher.fetch(`http://127.0.0.1:${port}/${encodeURIComponent(name)}/`);
        const article = extractor.extract({
          body: document.body,
          mediaType: document.mediaType,
          url: document.finalUrl,
        });
        const visible = baseline.extract({ body: document.body, mediaType: document.mediaType });
        results.push({
          name,
          ...score(article.text, expected),
          baselineF1: score(visible.text, expected).f1,
          sequenceF1: sequenceF1(article.text, expected),
          baselineSequenceF1: sequenceF1(visible.text, expected),
          method: article.method,
          chars: article.text.length,
          expectedChars: expected.length,
          titleMatches: normalizeTitle(article.title) === expectedTitle,
          exact: article.text === expected,
          belowMinChars: article.text.length < DEFAULT_MIN_CHARS,
        });
      } catch (error) {
        // Only the fetcher's own failures count as a failed page; anything else is a bug in this script.
        if (!(error instanceof ContentFetchError)) throw error;
        const message = error.message;
        results.push({
          name,
          precision: 0,
          recall: 0,
          f1: 0,
          baselineF1: 0,
          sequenceF1: 0,
          baselineSequenceF1: 0,
          method: 'failed',
          chars: 0,
          expectedChars: expected.length,
          titleMatches: false,
          exact: false,
          belowMinChars: true,
          error: message,
        });
      }
    }
  } finally {
    await fetcher.close();
    server.close();
  }

  const pad = (text: string, width: number) => text.padEnd(width).slice(0, width);
  const num = (value: number) => value.toFixed(3);
  console.log(
    `${pad('page', 40)} ${pad('P', 6)} ${pad('R', 6)} ${pad('F1', 6)} ${pad('base', 6)} ${pad('seqF1', 6)} ${pad('base', 6)} ${pad('method', 12)} close title chars/expected`,
  );
  for (const r of results) {
    console.log(
      `${pad(r.name, 40)} ${num(r.precision)} ${num(r.recall)} ${num(r.f1)} ${num(r.baselineF1)} ${num(r.sequenceF1)} ${num(r.baselineSequenceF1)} ${pad(r.method, 12)} ` +
        `${r.f1 >= CLOSE_F1 ? ' yes ' : ' no  '} ${r.titleMatches ? ' yes ' : ' no  '} ${r.chars}/${r.expectedChars}` +
        `${r.belowMinChars ? ` (< ${DEFAULT_MIN_CHARS} chars)` : ''}${r.error === undefined ? '' : ` ERROR ${r.error}`}`,
    );
  }
  const close = results.filter((r) => r.f1 >= CLOSE_F1).length;
  const f1s = results.map((r) => r.f1).sort((a, b) => a - b);
  const mean = f1s.reduce((sum, f) => sum + f, 0) / Math.max(1, f1s.length);
  const median = f1s.length === 0 ? 0 : f1s[Math.floor((f1s.length - 1) / 2)];
  console.log('');
  console.log(
    `pages: ${results.length}; matching closely (token F1 >= ${CLOSE_F1}): ${close}/${results.length}`,
  );
  console.log(
    `token F1: mean ${num(mean)}, median ${num(median)}; F1 >= 0.8: ${f1s.filter((f) => f >= 0.8).length}`,
  );
  const baselineClose = results.filter((r) => r.baselineF1 >= CLOSE_F1).length;
  const baselineMean = results.reduce((sum, r) => sum + r.baselineF1, 0) / Math.max(1, results.length);
  console.log(
    `baseline (all visible text minus nav/header/footer/aside, no Readability): close ${baselineClose}/${results.length}, ` +
      `mean F1 ${num(baselineMean)}`,
  );
  console.log(
    `text identical to the reader view's: ${results.filter((r) => r.exact).length}/${results.length}`,
  );
  const meanOf = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / Math.max(1, values.length);
  const seq = results.map((r) => r.sequenceF1).filter((v) => !Number.isNaN(v));
  const baseSeq = results.map((r) => r.baselineSequenceF1).filter((v) => !Number.isNaN(v));
  console.log(
    `order-aware (LCS) F1 >= ${CLOSE_F1}: ours ${seq.filter((v) => v >= CLOSE_F1).length}/${seq.length} ` +
      `(mean ${num(meanOf(seq))}), baseline ${baseSeq.filter((v) => v >= CLOSE_F1).length}/${baseSeq.length} ` +
      `(mean ${num(meanOf(baseSeq))})`,
  );
  console.log(
    `title equal to the reader view's: ${results.filter((r) => r.titleMatches).length}/${results.length}`,
  );
  console.log(
    `method: ${['readability', 'visible-text', 'failed'].map((m) => `${m} ${results.filter((r) => r.method === m).length}`).join(', ')}`,
  );
  console.log(
    `would fail CONTENT_MIN_CHARS=${DEFAULT_MIN_CHARS}: ${results.filter((r) => r.belowMinChars).length} ` +
      `(short synthetic test pages: expected text under ${DEFAULT_MIN_CHARS} chars on ` +
      `${results.filter((r) => r.expectedChars < DEFAULT_MIN_CHARS).length})`,
  );
  if (jsonOut !== undefined) writeFileSync(jsonOut, JSON.stringify(results, null, 2));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
