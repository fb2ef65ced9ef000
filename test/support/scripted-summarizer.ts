import type { Summarizer, SummarizeRequest, Summary, SummarizerIdentity } from '../../src/ai/summarizer';

/** What every default answer reports it cost, so tests can follow tokens through the analytics. */
export const SCRIPTED_USAGE = { inputTokens: 100, outputTokens: 20, totalTokens: 120 };

type Step = (request: SummarizeRequest) => Promise<Summary>;

/**
 * A summarizer whose behaviour a test scripts call by call (fail, block until released, succeed) and which counts
 * the calls, so a test can assert how many summaries were really made.
 */
export class ScriptedSummarizer implements Summarizer {
  readonly identity: SummarizerIdentity = { provider: 'local', model: 'scripted', promptVersion: '1' };
  readonly requests: SummarizeRequest[] = [];
  private readonly steps: Step[] = [];
  private gate: Promise<void> | null = null;
  private openGate: (() => void) | null = null;

  get calls(): number {
    return this.requests.length;
  }

  /** The next call runs `step` instead of the default answer. */
  thenRun(step: Step): this {
    this.steps.push(step);
    return this;
  }

  /** Calls wait until {@link release} (to hold jobs in `processing`). */
  hold(): this {
    // Held already: keep the gate that calls are waiting on (a new one would strand them past release()).
    this.gate ??= new Promise((resolve) => (this.openGate = resolve));
    return this;
  }

  release(): void {
    this.openGate?.();
    this.gate = null;
  }

  async summarize(request: SummarizeRequest): Promise<Summary> {
    this.requests.push(request);
    if (this.gate) await this.gate;
    const step = this.steps.shift();
    if (step) return step(request);
    const first = request.text.split(/(?<=[.!?])\s+/)[0];
    return { summary: `Summary: ${first}`, tags: ['alpha', 'beta'], usage: SCRIPTED_USAGE };
  }
}
