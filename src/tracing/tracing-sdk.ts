import { context, diag, DiagLogLevel, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import {
  detectResources,
  hostDetector,
  processDetector,
  resourceAttributesEnvDetector,
  resourceFromAttributes,
  serviceNameEnvDetector,
} from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  type Sampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import type { IncomingMessage } from 'node:http';
import { packageVersion } from '../core/runtime/package-version';
import { markTracingStarted } from './tracer';
import { DEFAULT_SERVICE_NAME, type TracingSettings } from './tracing-settings';

/** Longest the last export may hold up the exit of a stopping process (the collector may be away). */
const SHUTDOWN_FLUSH_MS = 2_000;

/**
 * Requests that would only add noise to the traces: scrapes, probes, and the dashboard's event stream (open for
 * as long as the page is).
 */
const UNTRACED_PATHS: ReadonlySet<string> = new Set(['/metrics', '/health', '/dashboard/events']);

/** What main.ts keeps of the SDK: the way to flush and stop it. */
export interface TracingHandle {
  /** Exports what is buffered and stops; bounded, never throws. */
  readonly shutdown: () => Promise<void>;
}

/**
 * Starts the OpenTelemetry SDK for this process (traces only): OTLP/HTTP export in batches, W3C trace context,
 * context kept across awaits (AsyncLocalStorage), and server spans for incoming HTTP requests. Must run before the
 * application is imported (main.ts): the HTTP instrumentation patches `node:http` as it is loaded.
 *
 * SDK 3 registers nothing by itself (no `provider.register()`): the global context manager, propagator and tracer
 * provider are set here, once per process.
 */
export function startTracing(settings: TracingSettings): TracingHandle {
  // The SDK's own problems (an unreachable collector) as one line each on stderr, never a crash.
  diag.setLogger(
    {
      error: (message: string) => process.stderr.write(`opentelemetry: ${message}\n`),
      warn: (message: string) => process.stderr.write(`opentelemetry: ${message}\n`),
      info: () => undefined,
      debug: () => undefined,
      verbose: () => undefined,
    },
    DiagLogLevel.WARN,
  );
  // The exporters read the endpoint, headers, timeout, compression and certificates from the standard variables.
  const exporter = settings.protocol === 'http/json' ? new OtlpJsonExporter() : new OtlpProtobufExporter();
  const provider = new TracerProvider({
    // Later entries win: OTEL_RESOURCE_ATTRIBUTES over the defaults, OTEL_SERVICE_NAME over both.
    resource: resourceFromAttributes({
      'service.name': DEFAULT_SERVICE_NAME,
      'service.version': packageVersion(),
      'smartcache.process.role': settings.processRole,
    }).merge(
      detectResources({
        detectors: [hostDetector, processDetector, resourceAttributesEnvDetector, serviceNameEnvDetector],
      }),
    ),
    sampler: samplerOf(settings),
    spanProcessors: [new BatchSpanProcessor({ exporter, scheduledDelayMillis: settings.scheduleDelayMs })],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(
    new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  );
  trace.setGlobalTracerProvider(provider);
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request: IncomingMessage) => UNTRACED_PATHS.has(pathOf(request)),
        // The service's outbound calls (AI SDKs, the page fetcher) go through undici, not node:http; the calls that
        // matter get spans of their own (the AI call, the fetch stage).
        disableOutgoingRequestInstrumentation: true,
      }),
    ],
  });
  markTracingStarted();

  return {
    shutdown: async () => {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, SHUTDOWN_FLUSH_MS);
      });
      try {
        await Promise.race([provider.shutdown(), deadline]);
      } catch (error) {
        process.stderr.write(`opentelemetry: could not flush spans: ${String(error)}\n`);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

function samplerOf({ sampler, samplerRatio }: TracingSettings): Sampler {
  switch (sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(samplerRatio);
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(samplerRatio) });
  }
}

function pathOf(request: IncomingMessage): string {
  const url = request.url ?? '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
