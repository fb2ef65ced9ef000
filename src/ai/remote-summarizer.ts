import type { AiCallObserver, AiCallOutcome, AiCallStart } from './ai-call-observer';
import type { AiCredentialsState } from './ai-credentials-state';
import {
  type AiCharges,
  AiCredentialsError,
  AiError,
  AiInvalidOutputError,
  AiPermanentError,
  AiTransientError,
  type AiProvider,
} from './ai-errors';
import { BatchAnswerMatcher, type BatchItemOutcome } from './batch/batch-answer-matcher';
import type { BatchItemResult, BatchSummarizer } from './batch/batch-summarizer';
import { shareUsage, sharesOf } from './batch/usage-share';
import { DEFAULT_PRICE_TABLE, type PriceTable } from './cost/price-table';
import { InputBudget } from './input-budget';
import { buildBatchPrompt, buildRepairPrompt, buildSummaryPrompt, type PromptConversation } from './prompts';
import type {
  BatchShare,
  SummarizeRequest,
  Summarizer,
  SummarizerIdentity,
  Summary,
  TokenUsage,
} from './summarizer';
import { SummaryValidator, type SummaryValidation, type ValidSummary } from './summary-validator';
import { remoteIdentity } from './summarizer-identity';

/** One answer of the model, before validation. */
export interface ModelReply {
  readonly text: string;
  readonly usage?: TokenUsage;
  /** Set when the provider refused to answer for safety reasons (blocked prompt, filtered or refused answer). */
  readonly blocked?: string;
  /** The model version the API says answered (Gemini `modelVersion`, OpenAI `model`). */
  readonly modelVersion?: string;
}

/** What an attempt had spent when it failed; attached to the error so the cost is still visible. */
export interface SpentSoFar {
  readonly calls: number;
  readonly usage: TokenUsage | undefined;
  readonly costUsd?: number;
}

export interface RemoteSummarizerOptions {
  readonly model: string;
  /** Inputs are cut to this many estimated tokens before the call (`AI_MAX_INPUT_TOKENS`). */
  readonly maxInputTokens: number;
  /** Told about rejected and accepted credentials, for `/health`. */
  readonly credentials?: AiCredentialsState;
  /** Prices for `costUsd` (`AI_PRICES` merged over the built-in ones); the built-in table by default. */
  readonly prices?: PriceTable;
  /** Told about every HTTP call (metrics, the AI span of a trace). */
  readonly observer?: AiCallObserver;
}

/** A model's answer and its check. */
interface CheckedAnswer {
  readonly text: string;
  readonly checked: SummaryValidation;
}

/**
 * Most inputs one batched call may carry. The answer grows with every input, and a long answer risks the model's
 * output limit and the call timeout; the batcher's `AI_BATCH_SIZE` is validated against this.
 */
export const MAX_BATCH_ITEMS = 64;

/** The calls, tokens and model version one result has run up so far. */
class CallTally {
  calls: number;
  usage: TokenUsage | undefined;
  modelVersion: string | undefined;

  constructor(start: { calls: number; usage?: TokenUsage; modelVersion?: string } = { calls: 0 }) {
    this.calls = start.calls;
    this.usage = start.usage;
    this.modelVersion = start.modelVersion;
  }

  add(reply: ModelReply): void {
    this.calls++;
    this.usage = addUsage(this.usage, reply.usage);
    this.modelVersion = reply.modelVersion ?? this.modelVersion;
  }
}

/** A batch input on its way: its short wire id, its text after the input budget, and its weight for the shares. */
interface BatchEntry {
  readonly id: string;
  readonly request: SummarizeRequest;
  readonly text: string;
  readonly title: string | undefined;
}

/**
 * The provider-neutral half of a remote summarizer: input budget, prompts, validation, the single repair call,
 * usage and cost accounting, the credentials state, and batching. A provider only sends one conversation and
 * classifies its errors. One `summarize()` = one HTTP call, plus one repair call when the answer is invalid; one
 * `summarizeBatch()` = one HTTP call for all inputs, plus one repair call per input whose part of the answer is
 * missing or invalid. Never any retry: the queue owns retries (with backoff, without charging rate-limited attempts).
 */
export abstract class RemoteSummarizer implements Summarizer, BatchSummarizer {
  readonly identity: SummarizerIdentity;
  readonly maxBatchSize = MAX_BATCH_ITEMS;
  private readonly budget: InputBudget;
  private readonly validator = new SummaryValidator();
  private readonly matcher = new BatchAnswerMatcher();
  private readonly credentials: AiCredentialsState | undefined;
  private readonly prices: PriceTable;
  private readonly observer: AiCallObserver | undefined;

  /** `batchEnvelope`: the key a provider needs the batched array wrapped in (an API that wants an object root). */
  protected constructor(
    provider: AiProvider,
    options: RemoteSummarizerOptions,
    private readonly batchEnvelope?: string,
  ) {
    this.identity = remoteIdentity(provider, options.model);
    this.budget = new InputBudget(options.maxInputTokens);
    this.credentials = options.credentials;
    this.prices = options.prices ?? DEFAULT_PRICE_TABLE;
    this.observer = options.observer;
  }

  /**
   * Sends one conversation with the response schema of `conversation.answer`; throws whatever the SDK throws, or an
   * {@link AiError} for answers it recognizes as failures.
   */
  protected abstract complete(
    conversation: PromptConversation,
    signal: AbortSignal | undefined,
  ): Promise<ModelReply>;

  /** Turns an SDK error into the typed error the worker acts on. */
  protected abstract classifyError(error: unknown, spent: SpentSoFar): AiError;

  async summarize(request: SummarizeRequest): Promise<Summary> {
    const input = this.budget.fit(request.text);
    const conversation = buildSummaryPrompt({ text: input.text, title: request.title });
    const tally = new CallTally();

    const first = await this.callOnce(conversation, request.signal, tally, 'summarize');
    if (first.checked.ok) return this.resultOf(first.checked.value, tally);

    const repaired = await this.callOnce(
      buildRepairPrompt(conversation, first.text, first.checked.problems),
      request.signal,
      tally,
      'repair',
    );
    if (repaired.checked.ok) return this.resultOf(repaired.checked.value, tally);
    throw new AiInvalidOutputError({
      provider: this.identity.provider,
      problems: repaired.checked.problems,
      rawOutput: repaired.text,
      ...this.charges(tally),
    });
  }

  async summarizeBatch(
    requests: ReadonlyArray<SummarizeRequest>,
    signal?: AbortSignal,
  ): Promise<BatchItemResult[]> {
    if (requests.length > this.maxBatchSize) {
      throw new RangeError(`a batch holds at most ${this.maxBatchSize} inputs, got ${requests.length}`);
    }
    if (requests.length === 0) return [];
    // One input goes the single way: a smaller prompt, and the very conversation an unbatched call would send.
    if (requests.length === 1) {
      const [request] = requests;
      const both =
        request.signal && signal ? AbortSignal.any([request.signal, signal]) : (request.signal ?? signal);
      return [await settle(this.summarize({ ...request, signal: both }))];
    }

    const entries: BatchEntry[] = requests.map((request, i) => ({
      id: String(i + 1),
      request,
      text: this.budget.fit(request.text).text,
      title: request.title?.trim() || undefined,
    }));
    const weights = entries.map(
      (entry) => InputBudget.estimateTokens(entry.text) + InputBudget.estimateTokens(entry.title ?? ''),
    );
    const shares = sharesOf(weights);
    const conversation = buildBatchPrompt(entries, { envelope: this.batchEnvelope });

    const watch = this.observer?.start(this.callStart('batch', entries.length));
    let reply: ModelReply;
    try {
      reply = await this.complete(conversation, signal);
    } catch (error) {
      // A provider error (429, 5xx, timeout, bad key, cancellation) is every item's, with today's classes.
      const failure = this.toAiError(error, { calls: 1, usage: undefined }, signal);
      watch?.end({ outcome: outcomeOf(failure), error: failure });
      const usages = shareUsage(failure.usage, weights);
      return entries.map((_, i) => ({
        ok: false,
        error: failure.withCharges({
          calls: i === 0 ? failure.calls : 0,
          usage: usages[i],
          costUsd: this.costOf(usages[i], undefined),
        }),
      }));
    }
    this.credentials?.recordAccepted(this.identity.provider);

    const usages = shareUsage(reply.usage, weights);
    // A block of the whole call does not say which input caused it: every input gets a call of its own, so only
    // the offending one fails (for safety) and the others are not failed for good over a neighbour.
    const outcomes: BatchItemOutcome[] =
      reply.blocked !== undefined
        ? entries.map(() => ({ ok: false, problems: [`the batched call was blocked: ${reply.blocked}`] }))
        : this.matcher.match(reply.text, entries, this.batchEnvelope);
    watch?.end({
      outcome:
        reply.blocked !== undefined
          ? 'permanent_error'
          : outcomes.every((outcome) => outcome.ok)
            ? 'success'
            : 'invalid_output',
      usage: reply.usage,
      responseModel: reply.modelVersion,
    });

    return Promise.all(
      entries.map(async (entry, i): Promise<BatchItemResult> => {
        const tally = new CallTally({
          calls: i === 0 ? 1 : 0,
          usage: usages[i],
          modelVersion: reply.modelVersion,
        });
        const share: BatchShare = { size: entries.length, share: shares[i] };
        const outcome = outcomes[i];
        if (outcome.ok) return { ok: true, summary: this.resultOf(outcome.value, tally, share) };
        return settle(this.repairItem(entry, outcome, tally, share));
      }),
    );
  }

  /**
   * The one extra call an input of a batch gets when its part of the answer was unusable: the single repair
   * conversation when the answer held the input's own (invalid) element, else a fresh single call (never showing
   * it another input's answer).
   */
  private async repairItem(
    entry: BatchEntry,
    outcome: Extract<BatchItemOutcome, { ok: false }>,
    tally: CallTally,
    share: BatchShare,
  ): Promise<Summary> {
    const single = buildSummaryPrompt({ text: entry.text, title: entry.title });
    let conversation = single;
    if (outcome.element) {
      // Shown as the model's own answer to the single prompt, which has no ids.
      const own = Object.fromEntries(Object.entries(outcome.element).filter(([key]) => key !== 'id'));
      conversation = buildRepairPrompt(single, JSON.stringify(own), outcome.problems);
    }
    const answer = await this.callOnce(conversation, entry.request.signal, tally, 'repair');
    if (answer.checked.ok) return this.resultOf(answer.checked.value, tally, share);
    throw new AiInvalidOutputError({
      provider: this.identity.provider,
      problems: answer.checked.problems,
      rawOutput: answer.text,
      context: outcome.element
        ? `in the batched answer: ${outcome.problems.join('; ')}`
        : outcome.problems.join('; '),
      ...this.charges(tally),
    });
  }

  /**
   * One HTTP call and the check of its answer, counted in `tally` (and in the error's charges when it fails) and
   * told to the observer with its outcome.
   */
  private async callOnce(
    conversation: PromptConversation,
    signal: AbortSignal | undefined,
    tally: CallTally,
    purpose: 'summarize' | 'repair',
  ): Promise<CheckedAnswer> {
    const watch = this.observer?.start(this.callStart(purpose, 1));
    let reply: ModelReply;
    try {
      reply = await this.complete(conversation, signal);
    } catch (error) {
      const failed = new CallTally({ ...tally, calls: tally.calls + 1 });
      const aiError = this.toAiError(error, this.charges(failed), signal);
      watch?.end({ outcome: outcomeOf(aiError), error: aiError });
      throw aiError;
    }
    tally.add(reply);
    this.credentials?.recordAccepted(this.identity.provider);
    const answered = { usage: reply.usage, responseModel: reply.modelVersion };
    if (reply.blocked !== undefined) {
      // The same input is blocked again on every retry, so this fails the job instead of costing attempts.
      const blocked = new AiPermanentError(reply.blocked, {
        provider: this.identity.provider,
        reason: 'safety_block',
        ...this.charges(tally),
      });
      watch?.end({ outcome: 'permanent_error', error: blocked, ...answered });
      throw blocked;
    }
    const checked = this.validator.validate(reply.text);
    watch?.end({ outcome: checked.ok ? 'success' : 'invalid_output', ...answered });
    return { text: reply.text, checked };
  }

  private callStart(purpose: AiCallStart['purpose'], inputs: number): AiCallStart {
    return { provider: this.identity.provider, model: this.identity.model, purpose, inputs };
  }

  private resultOf(value: ValidSummary, tally: CallTally, batch?: BatchShare): Summary {
    return {
      ...value,
      usage: tally.usage,
      calls: tally.calls,
      costUsd: this.costOf(tally.usage, tally.modelVersion),
      modelVersion: tally.modelVersion,
      ...(batch ? { batch } : {}),
    };
  }

  private charges(tally: CallTally): AiCharges {
    return { calls: tally.calls, usage: tally.usage, costUsd: this.costOf(tally.usage, tally.modelVersion) };
  }

  private costOf(usage: TokenUsage | undefined, modelVersion: string | undefined): number | undefined {
    return this.prices.costOf(this.identity.model, usage, modelVersion);
  }

  private toAiError(error: unknown, spent: SpentSoFar, signal: AbortSignal | undefined): AiError {
    // Our own cancellation is not the provider's failure, whatever shape the SDK gives it.
    const aiError =
      signal?.aborted && !(error instanceof AiError)
        ? new AiTransientError(`${this.identity.provider} call aborted by the caller`, {
            provider: this.identity.provider,
            reason: 'aborted',
            ...spent,
            cause: error,
          })
        : error instanceof AiError
          ? error
          : this.classifyError(error, spent);
    if (aiError instanceof AiCredentialsError) {
      this.credentials?.recordRejected(this.identity.provider, aiError.status, aiError.message);
    }
    return aiError;
  }
}

function outcomeOf(error: AiError): AiCallOutcome {
  switch (error.kind) {
    case 'rate_limited':
      return 'rate_limited';
    case 'transient':
      return 'transient_error';
    case 'permanent':
      return 'permanent_error';
  }
}

/** A provider failure as an item result; anything else is a bug and propagates. */
async function settle(summary: Promise<Summary>): Promise<BatchItemResult> {
  try {
    return { ok: true, summary: await summary };
  } catch (error) {
    if (error instanceof AiError) return { ok: false, error };
    throw error;
  }
}

function addUsage(total: TokenUsage | undefined, more: TokenUsage | undefined): TokenUsage | undefined {
  if (!more) return total;
  if (!total) return more;
  return {
    inputTokens: total.inputTokens + more.inputTokens,
    outputTokens: total.outputTokens + more.outputTokens,
    totalTokens: total.totalTokens + more.totalTokens,
  };
}
