import { ROOT_CONTEXT } from '@opentelemetry/api';
import type { Telemetry } from 'bullmq';
import { BullMQOtel } from 'bullmq-otel';
import { tracingStarted } from './tracer';

let telemetry: Telemetry | undefined;

/**
 * BullMQ's own telemetry (`bullmq-otel`) for the queue and the worker, when this process traces; undefined otherwise,
 * so a process without tracing stores no trace context in its jobs and wraps no queue call. With it, `queue.add`
 * makes a producer span and stores the W3C trace context in the job (`opts.telemetry.metadata`), and the worker's
 * `process` span continues that trace in whichever process takes the job.
 */
export function bullmqTelemetry(): Telemetry | undefined {
  if (!tracingStarted()) return undefined;
  if (!telemetry) {
    const otel = new BullMQOtel({ tracerName: 'bullmq' });
    // bullmq-otel 2.0.1 predates ContextManager.root() (BullMQ 6): without it BullMQ runs its stalled-jobs checker in
    // the context that started it, so every check would join one trace that grows for the life of the worker.
    Object.assign(otel.contextManager, { root: () => ROOT_CONTEXT });
    telemetry = otel;
  }
  return telemetry;
}
