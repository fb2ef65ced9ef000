import { type Attributes, SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';

/** The instrumentation scope of the service's own spans. */
const TRACER_NAME = 'smartcache-ai';

let started = false;

/** Called once the SDK is registered (tracing-sdk.ts), before the application is imported. */
export function markTracingStarted(): void {
  started = true;
}

/**
 * True when this process exports traces. Code that would only cost something for traces (BullMQ's telemetry option,
 * which also stores the trace context in every job) asks this instead of relying on the API's no-op tracer.
 */
export function tracingStarted(): boolean {
  return started;
}

/** The service's tracer (the API's no-op tracer when tracing is off). */
export function tracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}

/**
 * Runs `work` inside a span named `name` (a child of the active span; active itself, so the spans `work` makes are its
 * children), ended when `work` settles, with its error recorded. With tracing off, `work` runs as is.
 */
export async function inSpan<T>(
  name: string,
  attributes: Attributes,
  work: (span: Span | undefined) => Promise<T>,
  kind: SpanKind = SpanKind.INTERNAL,
): Promise<T> {
  if (!started) return work(undefined);
  return tracer().startActiveSpan(name, { kind, attributes }, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      recordError(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Marks a span failed, with the error as an exception event (type and message, as the conventions ask). */
export function recordError(span: Span, error: unknown): void {
  if (error instanceof Error) {
    span.recordException(error);
    span.setAttribute('error.type', error.name);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  } else {
    span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
  }
}
