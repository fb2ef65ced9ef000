import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { articleHtml, startServer, type LocalServer } from '../content/local-server';
import { DEFAULT_USAGE, FakeGeminiApi } from '../fakes/fake-gemini-api';
import { OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver';
import { freePort } from '../support/redis-server';
import { ServiceProcess } from '../support/service-process';
import { deleteKeysWithPrefix, waitFor } from '../support/test-app';
import { TEST_REDIS_URL, uniquePrefix } from '../support/test-environment';

const MODEL = 'gemini-3.5-flash-lite';
/** OTLP SpanKind values. */
const KIND = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 } as const;

const within = <T>(promise: Promise<T>, ms: number, what: string) =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms)),
  ]);

describe('OpenTelemetry traces: one submission, one trace across the API and worker processes', () => {
  let receiver: OtlpReceiver;
  let gemini: FakeGeminiApi;
  let origin: LocalServer;
  const processes: ServiceProcess[] = [];
  const prefixes: string[] = [];

  beforeAll(async () => {
    [receiver, gemini, origin] = await Promise.all([
      OtlpReceiver.start(),
      new FakeGeminiApi({ apiKey: 'key' }).start(),
      startServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(articleHtml('Tracing a request into its job'));
      }),
    ]);
  });
  afterEach(async () => {
    await Promise.all(processes.splice(0).map((child) => child.stop()));
    await Promise.all(prefixes.splice(0).map((prefix) => deleteKeysWithPrefix(TEST_REDIS_URL, prefix)));
  });
  afterAll(async () => {
    await Promise.all([receiver?.stop(), gemini?.stop(), origin?.close()]);
  });

  it.each<{
    case: string;
    api: Record<string, string>;
    worker: Record<string, string>;
    encodings: { api: 'json' | 'protobuf'; worker: 'json' | 'protobuf' };
  }>([
    {
      case: 'API over http/json, worker over http/protobuf (the default)',
      api: { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' },
      worker: {},
      encodings: { api: 'json', worker: 'protobuf' },
    },
    {
      case: 'API over http/protobuf, worker over http/json (the traces-specific variables)',
      api: { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' },
      worker: { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' },
      encodings: { api: 'protobuf', worker: 'json' },
    },
  ])('$case', async ({ api: apiOtel, worker: workerOtel, encodings }) => {
    receiver.reset();
    const prefix = uniquePrefix();
    prefixes.push(prefix);
    const [port, metricsPort] = await Promise.all([freePort(), freePort()]);
    const common = {
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      AI_PROVIDER: 'gemini',
      GEMINI_API_KEY: 'key',
      GEMINI_BASE_URL: gemini.url,
      FETCH_ALLOWED_HOSTS: origin.hostPort,
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=test',
      // Spans go out a tenth of a second after they end (5 s by default).
      OTEL_BSP_SCHEDULE_DELAY: '100',
    };
    const api = ServiceProcess.start({
      ...common,
      ...apiOtel,
      PROCESS_ROLE: 'api',
      PORT: String(port),
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_SERVICE_NAME: 'smartcache-api-test',
    });
    const worker = ServiceProcess.start({
      ...common,
      ...workerOtel,
      PROCESS_ROLE: 'worker',
      METRICS_PORT: String(metricsPort),
      // The traces URL itself, as a collector behind a path would need.
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces`,
    });
    processes.push(api, worker);
    await waitFor(
      async () => (api.logs().some((l) => /API listening/.test(String(l.msg))) ? true : undefined),
      {
        what: `the API to listen (stderr: ${api.stderr})`,
      },
    );
    await waitFor(
      async () => (worker.logs().some((l) => l.metrics_port === metricsPort) ? true : undefined),
      {
        what: `the worker to start (stderr: ${worker.stderr})`,
      },
    );

    // The caller (a gateway, say) already traces: the submission continues its trace.
    const traceId = randomBytes(16).toString('hex');
    const callerSpanId = randomBytes(8).toString('hex');
    const base = `http://127.0.0.1:${port}`;
    const response = await fetch(`${base}/api/submit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${callerSpanId}-01` },
      body: JSON.stringify({ input: origin.url(`/traced-${prefix}`) }),
    });
    expect(response.status).toBe(202);
    const { job_id: jobId } = (await response.json()) as { job_id: string };
    await waitFor(
      async () => {
        const status = (await (await fetch(`${base}/api/status/${jobId}`)).json()) as { status: string };
        return status.status === 'completed' ? true : undefined;
      },
      { what: 'the job to complete' },
    );

    const named = (spans: ReceivedSpan[], name: string) => spans.find((span) => span.name === name);
    const spans = await waitFor(
      async () => {
        const ofTrace = receiver.spans.filter((span) => span.traceId === traceId);
        const wanted = [
          'POST /api/submit',
          'job.fetch',
          'job.extract',
          'job.summarize',
          `generate_content ${MODEL}`,
        ];
        return wanted.every((name) => named(ofTrace, name)) &&
          ofTrace.some((s) => s.kind === KIND.producer) &&
          ofTrace.some((s) => s.kind === KIND.consumer)
          ? ofTrace
          : undefined;
      },
      { what: 'the spans of the trace', timeoutMs: 20_000 },
    );
    expect(receiver.problems).toEqual([]);

    // The API process: the request's server span, a child of the caller's span, and BullMQ's producer span under it.
    const server = named(spans, 'POST /api/submit')!;
    expect(server).toMatchObject({
      kind: KIND.server,
      parentSpanId: callerSpanId,
      encoding: encodings.api,
      attributes: {
        'http.route': '/api/submit',
        'http.request.method': 'POST',
        'http.response.status_code': 202,
      },
      resource: {
        'service.name': 'smartcache-api-test',
        'deployment.environment.name': 'test',
        'smartcache.process.role': 'api',
      },
    });
    const producer = spans.find((span) => span.kind === KIND.producer)!;
    expect(producer).toMatchObject({ parentSpanId: server.spanId, encoding: encodings.api });

    // The worker process: BullMQ's consumer span continues the producer's context (carried in the job), and the
    // job's stages and the AI call nest under it.
    const consumer = spans.find((span) => span.kind === KIND.consumer)!;
    expect(consumer).toMatchObject({
      parentSpanId: producer.spanId,
      encoding: encodings.worker,
      attributes: { 'bullmq.job.id': jobId },
      resource: {
        'service.name': 'smartcache-ai',
        'deployment.environment.name': 'test',
        'smartcache.process.role': 'worker',
      },
    });
    for (const stage of ['job.fetch', 'job.extract', 'job.summarize'])
      expect(named(spans, stage)).toMatchObject({ parentSpanId: consumer.spanId, kind: KIND.internal });
    const ai = named(spans, `generate_content ${MODEL}`)!;
    expect(ai).toMatchObject({
      kind: KIND.client,
      parentSpanId: named(spans, 'job.summarize')!.spanId,
      encoding: encodings.worker,
      attributes: {
        'gen_ai.operation.name': 'generate_content',
        'gen_ai.provider.name': 'gcp.gemini',
        'gen_ai.system': 'gcp.gemini',
        'gen_ai.request.model': MODEL,
        'gen_ai.response.model': MODEL,
        'gen_ai.usage.input_tokens': DEFAULT_USAGE.promptTokenCount,
        'gen_ai.usage.output_tokens': DEFAULT_USAGE.candidatesTokenCount,
      },
    });
    // Both encodings really went over the wire.
    const types = new Set(receiver.exports.map((e) => e.contentType.split(';')[0]));
    expect(types).toEqual(new Set(['application/json', 'application/x-protobuf']));

    // Shutdown flushes what is left and still exits cleanly.
    api.signal('SIGTERM');
    worker.signal('SIGTERM');
    expect((await within(api.exited, 15_000, 'API shutdown')).code).toBe(0);
    expect((await within(worker.exited, 15_000, 'worker shutdown')).code).toBe(0);
  });
});
