import type { AiCredentialsState } from './ai-credentials-state';
import {
  AiCredentialsError,
  AiError,
  AiInvalidOutputError,
  AiPermanentError,
  AiTransientError,
  type AiProvider,
} from './ai-errors';
import { InputBudget } from './input-budget';
import { buildRepairPrompt, buildSummaryPrompt, type PromptConversation } from './prompts';
import { remoteIdentity } from './summarizer-identity';
import type { SummarizeRequest, Summarizer, SummarizerIdentity, Summary, TokenUsage } from './summarizer';
import { SummaryValidator } from './summary-validator';

/** One answer of the model, before validation. */
export interface ModelReply {
  readonly text: string;
  readonly usage?: TokenUsage;
  /** Set when the provider refused to answer for safety reasons (blocked prompt, filtered or refused answer). */
  readonly blocked?: string;
}

/** What an attempt had spent when it failed; attached to the error so the cost is still visible. */
export interface SpentSoFar {
  readonly calls: number;
  readonly usage: TokenUsage | undefined;
}

export interface RemoteSummarizerOptions {
  readonly model: string;
  /** Inputs are cut to this many estimated tokens before the call (`AI_MAX_INPUT_TOKENS`). */
  readonly maxInputTokens: number;
  /** Told about rejected and accepted credentials, for `/health`. */
  readonly credentials?: AiCredentialsState;
}

/**
 * The provider-neutral half of a remote summarizer: input budget, prompt, validation, the single repair call,
 * usage accounting and the credentials state. A provider only sends one conversation and classifies its errors.
 * One `summarize()` = one HTTP call, plus one repair call when the answer is invalid; never any retry, since the
 * queue owns retries (with backoff, and without charging rate-limited attempts).
 */
export abstract class RemoteSummarizer implements Summarizer {
  readonly identity: SummarizerIdentity;
  private readonly budget: InputBudget;
  private readonly validator = new SummaryValidator();
  private readonly credentials: AiCredentialsState | undefined;

  protected constructor(provider: AiProvider, options: RemoteSummarizerOptions) {
    this.identity = remoteIdentity(provider, options.model);
    this.budget = new InputBudget(options.maxInputTokens);
    this.credentials = options.credentials;
  }

  /** Sends one conversation; throws whatever the SDK throws, or an {@link AiError} for answers it recognizes as failures. */
  protected abstract complete(
    conversation: PromptConversation,
    signal: AbortSignal | undefined,
  ): Promise<ModelReply>;

  /** Turns an SDK error into the typed error the worker acts on. */
  protected abstract classifyError(error: unknown, spent: SpentSoFar): AiError;

  async summarize(request: SummarizeRequest): Promise<Summary> {
    const input = this.budget.fit(request.text);
    const conversation = buildSummaryPrompt({ text: input.text, title: request.title });
    let spent: SpentSoFar = { calls: 0, usage: undefined };

    const call = async (turns: PromptConversation): Promise<string> => {
      try {
        const reply = await this.complete(turns, request.signal);
        spent = { calls: spent.calls + 1, usage: addUsage(spent.usage, reply.usage) };
        this.credentials?.recordAccepted(this.identity.provider);
        if (reply.blocked !== undefined) {
          // The same input is blocked again on every retry, so this fails the job instead of costing attempts.
          throw new AiPermanentError(reply.blocked, {
            provider: this.identity.provider,
            reason: 'safety_block',
            ...spent,
          });
        }
        return reply.text;
      } catch (error) {
        throw this.toAiError(error, { calls: spent.calls + 1, usage: spent.usage }, request.signal);
      }
    };

    const first = await call(conversation);
    const checked = this.validator.validate(first);
    if (checked.ok) return { ...checked.value, usage: spent.usage, calls: spent.calls };

    const repaired = await call(buildRepairPrompt(conversation, first, checked.problems));
    const rechecked = this.validator.validate(repaired);
    if (rechecked.ok) return { ...rechecked.value, usage: spent.usage, calls: spent.calls };
    throw new AiInvalidOutputError({
      provider: this.identity.provider,
      problems: rechecked.problems,
      rawOutput: repaired,
      usage: spent.usage,
      calls: spent.calls,
    });
  }

  private toAiError(error: unknown, spent: SpentSoFar, signal: AbortSignal | undefined): AiError {
    // Our own cancellation is not the provider's failure, whatever shape the SDK gives it.
    const aiError =
      signal?.aborted && !(error instanceof AiError)
        ? new AiTransientError(`${this.identity.provider} call aborted by the caller`, {
            provider: this.identity.provider,
            reason: 'aborted',
            calls: spent.calls,
            usage: spent.usage,
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

function addUsage(total: TokenUsage | undefined, more: TokenUsage | undefined): TokenUsage | undefined {
  if (!more) return total;
  if (!total) return more;
  return {
    inputTokens: total.inputTokens + more.inputTokens,
    outputTokens: total.outputTokens + more.outputTokens,
    totalTokens: total.totalTokens + more.totalTokens,
  };
}
