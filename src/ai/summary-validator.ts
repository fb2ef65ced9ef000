import { SUMMARY_LIMITS } from './prompts';
import { stripInlineMarkdown } from './text/markdown';
import { SentenceSplitter } from './text/sentence-splitter';
import { collapseWhitespace } from './text/whitespace';

export interface ValidSummary {
  readonly summary: string;
  readonly tags: string[];
}

/** Problems are phrased as what the model did wrong: they go back to the model in the repair prompt, and into the job's failure reason. */
export type SummaryValidation =
  { readonly ok: true; readonly value: ValidSummary } | { readonly ok: false; readonly problems: string[] };

const HTML_TAG = /<\/?[a-z][a-z0-9-]*(?:\s[^<>]*)?\/?>/i;
const BLOCK_MARKDOWN = /(^|\n)\s*(?:#{1,6}\s|[-*+]\s|\d+[.)]\s|>\s|\|?\s*:?-{3,}\s*\||```)/;
const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  '#39': "'",
};
const RANGE = (min: number, max: number) => `${min}–${max}`;

/**
 * Checks a model's raw answer against the contract (`{summary, tags}`, 2–3 sentences, 2–4 distinct tags, plain
 * text, length limits). Harmless noise is normalized (code fences around the JSON, inline emphasis, entities,
 * whitespace, duplicate or blank tags); anything that changes meaning or structure is refused so the model
 * repairs it.
 */
export class SummaryValidator {
  private readonly splitter = new SentenceSplitter();

  validate(raw: string): SummaryValidation {
    const parsed = parseModelJson(raw);
    if (!parsed.ok) return { ok: false, problems: [parsed.problem] };
    return this.validateValue(parsed.value);
  }

  /** The same checks on an already parsed value (one element of a batched answer). */
  validateValue(value: unknown): SummaryValidation {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return {
        ok: false,
        problems: [`model returned ${describeType(value)} instead of a JSON object {summary, tags}`],
      };
    }
    const record = value as Record<string, unknown>;
    const problems: string[] = [];
    const summary = this.checkSummary(record.summary, problems);
    const tags = this.checkTags(record.tags, problems);
    if (problems.length > 0 || summary === undefined || tags === undefined) return { ok: false, problems };
    return { ok: true, value: { summary, tags } };
  }

  private checkSummary(value: unknown, problems: string[]): string | undefined {
    if (value === undefined) {
      problems.push('model returned no "summary" field');
      return undefined;
    }
    if (typeof value !== 'string') {
      problems.push(`model returned "summary" as ${describeType(value)}; expected a string`);
      return undefined;
    }
    if (HTML_TAG.test(value)) problems.push('model returned HTML tags in the summary; expected plain text');
    if (BLOCK_MARKDOWN.test(value.trim())) {
      problems.push(
        'model returned Markdown structure (headings, lists, quotes, tables or code) in the summary; expected plain sentences',
      );
    }
    const summary = plainText(value);
    if (summary === '') {
      problems.push('model returned an empty summary');
      return undefined;
    }
    if (summary.length > SUMMARY_LIMITS.maxSummaryChars) {
      problems.push(
        `model returned a summary of ${summary.length} characters; expected at most ${SUMMARY_LIMITS.maxSummaryChars}`,
      );
    }
    const sentences = this.splitter.sentences(summary);
    const { minSentences, maxSentences } = SUMMARY_LIMITS;
    if (sentences.length < minSentences || sentences.length > maxSentences) {
      problems.push(
        `model returned ${sentences.length} sentence${sentences.length === 1 ? '' : 's'}; expected ${RANGE(minSentences, maxSentences)}`,
      );
    } else if (!/[.!?…。！？]["'”’)\]]*$/u.test(summary)) {
      problems.push('model returned a summary that stops mid-sentence');
    }
    return summary;
  }

  private checkTags(value: unknown, problems: string[]): string[] | undefined {
    if (value === undefined) {
      problems.push('model returned no "tags" field');
      return undefined;
    }
    if (!Array.isArray(value)) {
      problems.push(`model returned "tags" as ${describeType(value)}; expected an array of strings`);
      return undefined;
    }
    const items: unknown[] = value;
    const nonStrings = items.filter((tag) => typeof tag !== 'string');
    if (nonStrings.length > 0) {
      problems.push(
        `model returned ${nonStrings.length} tag(s) that are not strings (${describeType(nonStrings[0])})`,
      );
      return undefined;
    }
    const tags: string[] = [];
    const seen = new Set<string>();
    for (const raw of items as string[]) {
      if (HTML_TAG.test(raw) || /[\n\r]/.test(raw)) {
        problems.push(`model returned a tag that is not plain text: ${quote(raw)}`);
        continue;
      }
      const tag = plainText(raw)
        .replace(/^[#"'`]+|["'`]+$/g, '')
        .trim();
      if (tag === '') continue;
      if (tag.length > SUMMARY_LIMITS.maxTagChars) {
        problems.push(
          `model returned a tag of ${tag.length} characters (${quote(tag)}); expected at most ${SUMMARY_LIMITS.maxTagChars}`,
        );
        continue;
      }
      const key = tag.toLocaleLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      tags.push(tag);
    }
    const { minTags, maxTags } = SUMMARY_LIMITS;
    if (tags.length < minTags || tags.length > maxTags) {
      const dropped =
        items.length !== tags.length
          ? ` (${items.length} before removing blank, duplicate or invalid ones)`
          : '';
      problems.push(
        `model returned ${tags.length} distinct tag${tags.length === 1 ? '' : 's'}${dropped}; expected ${RANGE(minTags, maxTags)}`,
      );
    }
    return tags;
  }
}

/** Parses a model's raw answer as JSON, tolerating a Markdown code fence around it; the problem is phrased for the model. */
export function parseModelJson(raw: string): { ok: true; value: unknown } | { ok: false; problem: string } {
  const trimmed = raw.trim();
  if (trimmed === '') return { ok: false, problem: 'model returned an empty answer; expected a JSON object' };
  // A fence around otherwise valid JSON is formatting noise from models in plain JSON mode, not a wrong answer.
  const fenced = /^```(?:json)?\s*\n?([\s\S]*?)\n?```$/i.exec(trimmed);
  const body = fenced ? fenced[1] : trimmed;
  try {
    return { ok: true, value: JSON.parse(body) as unknown };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { ok: false, problem: `model returned invalid JSON (${detail}): ${quote(trimmed)}` };
  }
}

/** Model output as plain one-line text: inline Markdown unwrapped, entities decoded, control characters dropped. */
function plainText(text: string): string {
  const unwrapped = stripInlineMarkdown(text).replace(
    /&(#39|[a-z]+);/gi,
    (entity: string, name: string) => ENTITIES[name.toLowerCase()] ?? entity,
  );
  return collapseWhitespace(unwrapped.replace(/\p{Cc}/gu, ' '));
}

export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function quote(text: string): string {
  const flat = collapseWhitespace(text);
  return JSON.stringify(flat.length > 120 ? `${flat.slice(0, 117)}...` : flat);
}
