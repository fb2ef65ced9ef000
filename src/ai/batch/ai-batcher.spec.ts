import { describe, expect, it } from 'vitest';
import { AiRateLimitedError, AiTransientError } from '../ai-errors';
import type { SummarizeRequest, Summarizer, SummarizerIdentity, Summary } from '../summarizer';
import { AiBatcher, type AiBatcherOptions } from './ai-batcher';
import type { BatchItemResult, BatchSummarizer } from './batch-summarizer';

/**
 * A BatchSummarizer that records how it was called. Its answers name their input, each item is charged 10 tokens
 * and the shared call is charged to the first item, like the remote summarizers. `hold()` keeps calls open until
 * `release()`, so a test can act while a batch is in flight.
 */
class RecordingTarget implements Summarizer, BatchSummarizer {
  readonly identity: SummarizerIdentity = { provider: 'gemini', model: 'test-model', promptVersion: 'v' };
  readonly maxBatchSize = 16;
  readonly singles: SummarizeRequest[] = [];
  readonly batches: Array<{ requests: SummarizeRequest[]; signal: AbortSignal | undefined }> = [];
  /** Per input text, a result other than the default summary. */
  readonly special = new Map<string, (charges: Charges) => BatchItemResult>();
  private gate: Promise<void> | undefined;
  private open: (() => void) | undefined;

  hold(): this {
    this.gate = new Promise((resolve) => (this.open = resolve));
    return this;
  }

  release(): void {
    this.open?.();
    this.gate = undefined;
  }

  async summarize(request: SummarizeRequest): Promise<Summary> {
    this.singles.push(request);
    await this.wait(request.signal);
    const result = this.resultFor(request, { calls: 1, tokens: 10 });
    if (!result.ok) throw result.error;
    return result.summary;
  }

  async summarizeBatch(
    requests: ReadonlyArray<SummarizeRequest>,
    signal?: AbortSignal,
  ): Promise<BatchItemResult[]> {
    this.batches.push({ requests: [...requests], signal });
    await this.wait(signal);
    return requests.map((request, i) =>
      this.resultFor(request, { calls: i === 0 ? 1 : 0, tokens: 10 }, signal),
    );
  }

  private resultFor(request: SummarizeRequest, charges: Charges, signal?: AbortSignal): BatchItemResult {
    const usage = { inputTokens: charges.tokens, outputTokens: 0, totalTokens: charges.tokens };
    if (signal?.aborted || request.signal?.aborted) {
      return {
        ok: false,
        error: new AiTransientError('aborted', {
          provider: 'gemini',
          reason: 'aborted',
          calls: charges.calls,
          usage,
        }),
      };
    }
    const special = this.special.get(request.text);
    if (special) return special(charges);
    return {
      ok: true,
      summary: { summary: `about ${request.text}`, tags: ['a', 'b'], calls: charges.calls, usage },
    };
  }

  private async wait(signal: AbortSignal | undefined): Promise<void> {
    if (!this.gate) return;
    await Promise.race([
      this.gate,
      new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve(), { once: true })),
    ]);
  }
}

interface Charges {
  readonly calls: number;
  readonly tokens: number;
}

const OPTIONS: AiBatcherOptions = { batchSize: 8, maxWaitMs: 50, maxInputTokens: 100 };
const texts = (count: number, prefix = 'doc') => Array.from({ length: count }, (_, i) => `${prefix} ${i}`);
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('AiBatcher', () => {
  it('sends every request alone, at once, when the batch size is 1 (batching off)', async () => {
    const target = new RecordingTarget();
    const batcher = new AiBatcher(target, { ...OPTIONS, batchSize: 1, maxWaitMs: 10_000 });

    const results = await Promise.all(texts(3).map((text) => batcher.summarize({ text })));

    expect(results.map((result) => result.summary)).toEqual(['about doc 0', 'about doc 1', 'about doc 2']);
    expect(target.singles).toHaveLength(3);
    expect(target.batches).toHaveLength(0);
  });

  it('sends a full batch at once, in arrival order, and gives each caller its own result', async () => {
    const target = new RecordingTarget();
    // A wait far longer than the test: only a full batch can explain a prompt send.
    const batcher = new AiBatcher(target, { ...OPTIONS, maxWaitMs: 60_000 });

    const results = await Promise.all(texts(8).map((text) => batcher.summarize({ text })));

    expect(target.batches).toHaveLength(1);
    expect(target.batches[0].requests.map((request) => request.text)).toEqual(texts(8));
    expect(results.map((result) => result.summary)).toEqual(texts(8).map((text) => `about ${text}`));
    expect(results.map((result) => result.calls)).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('splits a burst into full batches and sends the remainder after the wait', async () => {
    const target = new RecordingTarget();
    const batcher = new AiBatcher(target, OPTIONS);

    const results = await Promise.all(texts(20).map((text) => batcher.summarize({ text })));

    expect(target.batches.map((batch) => batch.requests.length)).toEqual([8, 8, 4]);
    expect(target.batches.flatMap((batch) => batch.requests.map((request) => request.text))).toEqual(
      texts(20),
    );
    expect(results.map((result) => result.summary)).toEqual(texts(20).map((text) => `about ${text}`));
    expect(target.singles).toHaveLength(0);
  });

  it('sends a lone request the single way after at most the wait', async () => {
    const target = new RecordingTarget();
    const batcher = new AiBatcher(target, { ...OPTIONS, maxWaitMs: 50 });
    const started = performance.now();

    const result = await batcher.summarize({ text: 'alone' });

    const elapsed = performance.now() - started;
    expect(result.summary).toBe('about alone');
    expect(target.singles.map((request) => request.text)).toEqual(['alone']);
    expect(target.batches).toHaveLength(0);
    // It did wait for company (timers may fire a little early), and not much longer than asked (busy machine).
    expect(elapsed).toBeGreaterThanOrEqual(40);
    expect(elapsed).toBeLessThan(50 + 1_000);
  });

  it('lets requests that arrive during the wait join the same batch', async () => {
    const target = new RecordingTarget();
    const batcher = new AiBatcher(target, { ...OPTIONS, maxWaitMs: 300 });

    const first = batcher.summarize({ text: 'first' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = batcher.summarize({ text: 'second' });
    await Promise.all([first, second]);

    expect(target.batches.map((batch) => batch.requests.map((request) => request.text))).toEqual([
      ['first', 'second'],
    ]);
  });

  it('sends long inputs alone and at once, without waiting for the batch', async () => {
    const target = new RecordingTarget();
    const batcher = new AiBatcher(target, { ...OPTIONS, maxWaitMs: 60_000, maxInputTokens: 10 });
    const short = batcher.summarize({ text: 'short' });
    const long = 'word '.repeat(20);

    await expect(batcher.summarize({ text: long })).resolves.toMatchObject({ summary: `about ${long}` });
    expect(target.singles.map((request) => request.text)).toEqual([long]);
    expect(batcher.pending).toBe(1);

    batcher.flush();
    await short;
    expect(target.singles.map((request) => request.text)).toEqual([long, 'short']);
  });

  it('counts the title into the input size', async () => {
    const target = new RecordingTarget();
    const batcher = new AiBatcher(target, { ...OPTIONS, maxWaitMs: 60_000, maxInputTokens: 10 });

    await batcher.summarize({ text: 'short', title: 'a title long enough to pass the limit' });

    expect(target.singles).toHaveLength(1);
    expect(batcher.pending).toBe(0);
  });

  it('drops a request whose caller leaves before its batch is sent', async () => {
    const target = new RecordingTarget();
    const batcher = new AiBatcher(target, { ...OPTIONS, maxWaitMs: 100 });
    const controller = new AbortController();
    const leaving = batcher.summarize({ text: 'leaving', signal: controller.signal });
    const staying = [batcher.summarize({ text: 'staying 1' }), batcher.summarize({ text: 'staying 2' })];

    controller.abort();
    const error = await rejection(leaving);
    await Promise.all(staying);

    expect(error).toBeInstanceOf(AiTransientError);
    expect(error).toMatchObject({ reason: 'aborted', calls: 0 });
    expect(target.batches.map((batch) => batch.requests.map((request) => request.text))).toEqual([
      ['staying 1', 'staying 2'],
    ]);
  });

  it('makes no call at all when every waiting caller leaves', async () => {
    const target = new RecordingTarget();
    const batcher = new AiBatcher(target, { ...OPTIONS, maxWaitMs: 30 });
    const controller = new AbortController();
    const waiting = texts(3).map((text) => rejection(batcher.summarize({ text, signal: controller.signal })));

    controller.abort();
    await Promise.all(waiting);
    await new Promise((resolve) => setTimeout(resolve, 80));

    expect(target.batches).toHaveLength(0);
    expect(target.singles).toHaveLength(0);
    expect(batcher.pending).toBe(0);
  });

  it('rejects a request whose signal already fired without queueing it', async () => {
    const target = new RecordingTarget();
    const batcher = new AiBatcher(target, OPTIONS);

    const error = await rejection(batcher.summarize({ text: 'late', signal: AbortSignal.abort() }));

    expect(error).toMatchObject({ reason: 'aborted' });
    expect(batcher.pending).toBe(0);
  });

  it('keeps a batch in flight for the others when one caller leaves, and charges its share to the next caller', async () => {
    const target = new RecordingTarget().hold();
    const batcher = new AiBatcher(target, { ...OPTIONS, batchSize: 3 });
    const controller = new AbortController();
    const first = batcher.summarize({ text: 'first', signal: controller.signal });
    const others = [batcher.summarize({ text: 'second' }), batcher.summarize({ text: 'third' })];
    await tick();
    expect(target.batches).toHaveLength(1);

    controller.abort();
    // Rejected at once, while the batch is still held.
    expect(await rejection(first)).toMatchObject({ reason: 'aborted', calls: 0 });
    expect(target.batches[0].signal?.aborted).toBe(false);

    target.release();
    const [second, third] = await Promise.all(others);
    expect(second.summary).toBe('about second');
    // The first item carried the shared call and 10 tokens; both now land on the first caller still waiting.
    expect(second.calls).toBe(1);
    expect(second.usage?.totalTokens).toBe(20);
    expect(third).toMatchObject({ calls: 0, usage: { totalTokens: 10 } });
  });

  it('cancels the shared call when the last caller of a batch leaves, which then carries the whole cost', async () => {
    const target = new RecordingTarget().hold();
    const batcher = new AiBatcher(target, { ...OPTIONS, batchSize: 2 });
    const controllers = [new AbortController(), new AbortController()];
    const pending = controllers.map((controller, i) =>
      rejection(batcher.summarize({ text: `doc ${i}`, signal: controller.signal })),
    );
    await tick();

    controllers[0].abort();
    expect(target.batches[0].signal?.aborted).toBe(false);
    controllers[1].abort();
    expect(target.batches[0].signal?.aborted).toBe(true);
    const [firstError, lastError] = await Promise.all(pending);

    expect(firstError).toMatchObject({ reason: 'aborted', calls: 0 });
    expect(lastError).toMatchObject({ reason: 'aborted', calls: 1, usage: { totalTokens: 20 } });
  });

  it('gives each caller its own item error and the others their summaries', async () => {
    const target = new RecordingTarget();
    target.special.set('limited', (charges) => ({
      ok: false,
      error: new AiRateLimitedError('slow down', {
        provider: 'gemini',
        retryAfterMs: 5,
        calls: charges.calls,
      }),
    }));
    const batcher = new AiBatcher(target, { ...OPTIONS, batchSize: 3 });

    const [ok, limited, alsoOk] = await Promise.allSettled(
      ['fine', 'limited', 'fine too'].map((text) => batcher.summarize({ text })),
    );

    expect(ok).toMatchObject({ status: 'fulfilled', value: { summary: 'about fine' } });
    expect(limited).toMatchObject({ status: 'rejected', reason: { retryAfterMs: 5 } });
    expect((limited as PromiseRejectedResult).reason).toBeInstanceOf(AiRateLimitedError);
    expect(alsoOk).toMatchObject({ status: 'fulfilled', value: { summary: 'about fine too' } });
  });

  it('rejects every caller of a batch with a bug that escapes the target', async () => {
    const target = new RecordingTarget();
    target.summarizeBatch = () => Promise.reject(new TypeError('a bug'));
    const batcher = new AiBatcher(target, { ...OPTIONS, batchSize: 2 });

    const errors = await Promise.all(texts(2).map((text) => rejection(batcher.summarize({ text }))));

    expect(errors.every((error) => error instanceof TypeError)).toBe(true);
  });

  it('takes the identity of its target and refuses batch sizes the target cannot carry', () => {
    const target = new RecordingTarget();
    expect(new AiBatcher(target, OPTIONS).identity).toBe(target.identity);
    expect(() => new AiBatcher(target, { ...OPTIONS, batchSize: 0 })).toThrow(RangeError);
    expect(() => new AiBatcher(target, { ...OPTIONS, batchSize: 17 })).toThrow(RangeError);
  });
});
