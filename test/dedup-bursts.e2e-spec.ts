import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeOpenAiApi } from './fakes/fake-openai-api';
import { freePort } from './support/redis-server';
import { ServiceProcess } from './support/service-process';
import { deleteKeysWithPrefix, waitFor } from './support/test-app';
import { TEST_REDIS_URL, uniquePrefix } from './support/test-environment';

const BURSTS = 50;
const BURST_SIZE = 300;

interface SubmitAnswer {
  readonly status: number;
  readonly body: { job_id?: string; cache?: string };
}

/**
 * One AI call per distinct input, for every interleaving, tested the way it used to fail: real worker processes, an
 * AI that answers in about a millisecond (so jobs complete while their burst is still arriving: the window between a
 * request's cache read and its enqueue), and bursts of identical submissions spread over two API processes.
 */
describe('bursts of identical submissions across two API processes, with fast workers running', () => {
  const prefix = uniquePrefix();
  const processes: ServiceProcess[] = [];
  const apiUrls: string[] = [];
  let ai: FakeOpenAiApi;

  beforeAll(async () => {
    ai = await new FakeOpenAiApi().start();
    const common = {
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      AI_PROVIDER: 'openai',
      OPENAI_BASE_URL: ai.url,
      OPENAI_MODEL: 'fast-fake',
      LOG_LEVEL: 'warn',
    };
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      processes.push(ServiceProcess.start({ ...common, PROCESS_ROLE: 'api', PORT: String(port) }));
      apiUrls.push(`http://127.0.0.1:${port}`);
    }
    processes.push(
      ServiceProcess.start({ ...common, PROCESS_ROLE: 'worker', WORKER_COUNT: '10', LOG_LEVEL: 'info' }),
    );
    await Promise.all(
      apiUrls.map((url) =>
        waitFor(async () => ((await fetch(`${url}/health`)).ok ? true : undefined), {
          timeoutMs: 30_000,
          what: `${url} to serve`,
        }),
      ),
    );
    const worker = processes[2];
    await waitFor(
      async () => (worker.logs().some((l) => /worker started/.test(String(l.msg))) ? true : undefined),
      {
        timeoutMs: 30_000,
        what: 'the worker to start',
      },
    );
  });
  afterAll(async () => {
    await Promise.all(processes.map((child) => child.stop()));
    await ai?.stop();
    await deleteKeysWithPrefix(TEST_REDIS_URL, prefix);
  });

  const submit = async (url: string, input: string): Promise<SubmitAnswer> => {
    const response = await fetch(`${url}/api/submit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input }),
    });
    return { status: response.status, body: (await response.json()) as SubmitAnswer['body'] };
  };

  it(`gives each burst of ${BURST_SIZE} one job id or hits, and makes one AI call per distinct input (${BURSTS} bursts)`, async () => {
    const inputs = Array.from(
      { length: BURSTS },
      (_, b) =>
        `Burst ${b} of ${prefix} asks for one summary. Every copy must share it. Only one AI call may be made.`,
    );
    const jobIdsPerBurst: number[] = [];
    const outcomes: Record<string, number> = {};
    for (const input of inputs) {
      const answers = await Promise.all(
        Array.from({ length: BURST_SIZE }, (_, i) => submit(apiUrls[i % apiUrls.length], input)),
      );
      expect(answers.every((a) => a.status === 200 || a.status === 202)).toBe(true);
      for (const { body } of answers) outcomes[String(body.cache)] = (outcomes[String(body.cache)] ?? 0) + 1;
      jobIdsPerBurst.push(new Set(answers.map((a) => a.body.job_id).filter((id) => id !== undefined)).size);
    }
    // Every input ends up summarized (a hit from either API process)...
    await waitFor(
      async () => {
        const answers = await Promise.all(inputs.map((input, i) => submit(apiUrls[i % 2], input)));
        return answers.every((a) => a.body.cache === 'hit') ? true : undefined;
      },
      { timeoutMs: 60_000, what: 'every input to be cached' },
    );
    // ...by exactly one AI call each, and no burst was handed two job ids.
    const callsPerInput = new Map<string, number>();
    for (const call of ai.calls) {
      const document = call.messages.map((m) => m.content).join('\n');
      const input = inputs.find((candidate) => document.includes(candidate));
      if (input) callsPerInput.set(input, (callsPerInput.get(input) ?? 0) + 1);
    }
    expect(ai.calls).toHaveLength(BURSTS);
    expect([...callsPerInput.values()].every((n) => n === 1)).toBe(true);
    expect(jobIdsPerBurst.filter((n) => n > 1)).toEqual([]);
    // The bursts really raced the jobs: answers of every kind were seen. (A burst may have no miss at all: the
    // request that made its job answers a hit when the job completed before that request read the cache again.)
    expect(outcomes.miss).toBeGreaterThan(0);
    expect(outcomes.hit).toBeGreaterThan(0);
    expect(outcomes.deduplicated).toBeGreaterThan(0);
  });
});
