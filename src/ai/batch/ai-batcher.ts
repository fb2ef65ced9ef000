import { AiError, AiTransientError } from '../ai-errors';
import { InputBudget } from '../input-budget';
import type { SummarizeRequest, Summarizer, SummarizerIdentity, Summary, TokenUsage } from '../summarizer';
import type { BatchItemResult, BatchSummarizer } from './batch-summarizer';

export interface AiBatcherOptions {
  /** `AI_BATCH_SIZE`: most requests per call; 1 sends every request alone (batching off). */
  readonly batchSize: number;
  /** `AI_BATCH_WAIT_MS`: longest a request waits for others before its batch goes, however small. */
  readonly maxWaitMs: number;
  /** `AI_BATCH_MAX_INPUT_TOKENS`: requests estimated above this go alone, at once. */
  readonly maxInputTokens: number;
}

/** A caller waiting for its summary. */
interface Waiter {
  readonly request: SummarizeRequest;
  readonly resolve: (summary: Summary) => void;
  readonly reject: (error: unknown) => void;
  /** The caller has gone (its signal fired): its result, when it comes, is charged to another caller of the batch. */
  gone: boolean;
  stopListening: () => void;
}

/**
 * Gathers the `summarize()` calls of concurrent callers (one per job) into batched calls, behind the plain
 * {@link Summarizer} contract, so the job path does not change. A request waits until `batchSize` requests are
 * waiting or `maxWaitMs` after the first of them arrived, whichever comes first; then they go as one
 * {@link BatchSummarizer.summarizeBatch} call (a batch of one goes the single way, exactly as unbatched). Long
 * requests, and every request when `batchSize` is 1, go alone at once.
 *
 * Cancellation: a caller whose signal fires before its batch is sent is simply removed. Once sent, the shared call
 * goes on for the others (it is cancelled only when every caller of the batch has gone), the gone caller is
 * rejected at once as `aborted`, and what its item cost is charged to the first caller of the batch still waiting,
 * so the calls and tokens reported by a batch's results add up to what the provider billed.
 */
export class AiBatcher implements Summarizer {
  private waiting: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Batches on their way, so a caller leaving can tell whether it was the last one of its batch. */
  private readonly inFlight = new Set<{ readonly batch: Waiter[]; readonly controller: AbortController }>();

  constructor(
    private readonly target: Summarizer & BatchSummarizer,
    private readonly options: AiBatcherOptions,
  ) {
    if (
      !Number.isInteger(options.batchSize) ||
      options.batchSize < 1 ||
      options.batchSize > target.maxBatchSize
    ) {
      throw new RangeError(
        `batchSize must be an integer from 1 to ${target.maxBatchSize}, got ${options.batchSize}`,
      );
    }
  }

  get identity(): SummarizerIdentity {
    return this.target.identity;
  }

  /** Requests waiting for their batch to be sent (for tests and metrics). */
  get pending(): number {
    return this.waiting.length;
  }

  summarize(request: SummarizeRequest): Promise<Summary> {
    if (this.options.batchSize === 1 || !this.fits(request)) return this.target.summarize(request);
    if (request.signal?.aborted) return Promise.reject(abortedError(this.identity));

    return new Promise<Summary>((resolve, reject) => {
      const waiter: Waiter = { request, resolve, reject, gone: false, stopListening: () => undefined };
      const signal = request.signal;
      if (signal) {
        const onAbort = () => this.leave(waiter);
        signal.addEventListener('abort', onAbort, { once: true });
        waiter.stopListening = () => signal.removeEventListener('abort', onAbort);
      }
      this.waiting.push(waiter);
      if (this.waiting.length >= this.options.batchSize) this.dispatch();
      else this.timer ??= setTimeout(() => this.dispatch(), this.options.maxWaitMs);
    });
  }

  /** Sends what is waiting now instead of at the end of the wait (shutdown, tests). */
  flush(): void {
    while (this.waiting.length > 0) this.dispatch();
  }

  private fits(request: SummarizeRequest): boolean {
    const tokens = InputBudget.estimateTokens(request.text) + InputBudget.estimateTokens(request.title ?? '');
    return tokens <= this.options.maxInputTokens;
  }

  private dispatch(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.waiting.splice(0, this.options.batchSize);
    // More than a batch may wait when calls arrive in one tick; the rest start their own wait.
    if (this.waiting.length > 0) this.timer = setTimeout(() => this.dispatch(), this.options.maxWaitMs);
    if (batch.length > 0) void this.send(batch);
  }

  private async send(batch: Waiter[]): Promise<void> {
    const controller = new AbortController();
    const sent = { batch, controller };
    this.inFlight.add(sent);
    try {
      const results =
        batch.length === 1
          ? [await settleSingle(this.target.summarize(batch[0].request))]
          : await this.target.summarizeBatch(
              batch.map((waiter) => waiter.request),
              controller.signal,
            );
      this.deliver(batch, results);
    } catch (error) {
      // Not a provider failure (those arrive as item results): a bug, which every caller of the batch sees.
      for (const waiter of batch) this.settle(waiter, () => waiter.reject(error));
    } finally {
      this.inFlight.delete(sent);
    }
  }

  private leave(waiter: Waiter): void {
    if (waiter.gone) return;
    const index = this.waiting.indexOf(waiter);
    if (index < 0) {
      const sent = [...this.inFlight].find((candidate) => candidate.batch.includes(waiter));
      if (sent && sent.batch.every((other) => other === waiter || other.gone)) {
        // The last caller of its batch: cancel the call and let its (prompt) aborted result arrive the usual way,
        // carrying what the whole batch cost.
        sent.controller.abort();
        return;
      }
    } else {
      // Not sent yet: it simply never joins a batch.
      this.waiting.splice(index, 1);
      if (this.waiting.length === 0) {
        clearTimeout(this.timer);
        this.timer = undefined;
      }
    }
    waiter.gone = true;
    waiter.stopListening();
    waiter.reject(abortedError(this.identity));
  }

  private deliver(batch: Waiter[], results: readonly BatchItemResult[]): void {
    const heir = batch.find((waiter) => !waiter.gone);
    let orphaned: Charges = NO_CHARGES;
    for (const [i, waiter] of batch.entries()) {
      if (waiter.gone) orphaned = addCharges(orphaned, chargesOf(results[i]));
    }
    for (const [i, waiter] of batch.entries()) {
      if (waiter.gone) continue;
      const result = waiter === heir ? charge(results[i], orphaned) : results[i];
      this.settle(waiter, () => (result.ok ? waiter.resolve(result.summary) : waiter.reject(result.error)));
    }
  }

  private settle(waiter: Waiter, done: () => void): void {
    if (waiter.gone) return;
    waiter.stopListening();
    done();
  }
}

interface Charges {
  readonly calls: number;
  readonly usage: TokenUsage | undefined;
  readonly costUsd: number | undefined;
}

const NO_CHARGES: Charges = { calls: 0, usage: undefined, costUsd: undefined };

function chargesOf(result: BatchItemResult): Charges {
  const source = result.ok ? result.summary : result.error;
  return { calls: source.calls ?? 0, usage: source.usage, costUsd: source.costUsd };
}

function addCharges(a: Charges, b: Charges): Charges {
  return {
    calls: a.calls + b.calls,
    usage: addUsage(a.usage, b.usage),
    costUsd:
      a.costUsd === undefined ? b.costUsd : b.costUsd === undefined ? a.costUsd : a.costUsd + b.costUsd,
  };
}

/** `result` with `extra` charges added (what the gone callers of its batch cost). */
function charge(result: BatchItemResult, extra: Charges): BatchItemResult {
  if (extra.calls === 0 && extra.usage === undefined && extra.costUsd === undefined) return result;
  const total = addCharges(chargesOf(result), extra);
  if (result.ok) return { ok: true, summary: { ...result.summary, ...total } };
  return { ok: false, error: result.error.withCharges(total) };
}

function addUsage(a: TokenUsage | undefined, b: TokenUsage | undefined): TokenUsage | undefined {
  if (!a) return b;
  if (!b) return a;
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    totalTokens: a.totalTokens + b.totalTokens,
  };
}

async function settleSingle(summary: Promise<Summary>): Promise<BatchItemResult> {
  try {
    return { ok: true, summary: await summary };
  } catch (error) {
    if (error instanceof AiError) return { ok: false, error };
    throw error;
  }
}

function abortedError(identity: SummarizerIdentity): AiTransientError {
  return new AiTransientError(`${identity.provider} call aborted by the caller`, {
    provider: identity.provider,
    reason: 'aborted',
    calls: 0,
  });
}
