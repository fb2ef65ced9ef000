import type { Environment, OtlpProtocol, TraceSampler } from '../core/config/environment';

/** The service name of every span when OTEL_SERVICE_NAME (or `service.name` in OTEL_RESOURCE_ATTRIBUTES) is unset. */
export const DEFAULT_SERVICE_NAME = 'smartcache-ai';

/** How this process traces, when it does. */
export interface TracingSettings {
  readonly protocol: OtlpProtocol;
  readonly sampler: TraceSampler;
  /** Ratio of the `*traceidratio` samplers. */
  readonly samplerRatio: number;
  readonly scheduleDelayMs: number;
  readonly processRole: Environment['PROCESS_ROLE'];
}

/**
 * Whether and how traces go out, from the standard variables: off unless an OTLP endpoint (general or for traces) or
 * `OTEL_TRACES_EXPORTER=otlp` is set, and always off with `OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none`.
 * Undefined means off: main.ts then loads none of the SDK.
 */
export function tracingSettings(env: Environment): TracingSettings | undefined {
  if (env.OTEL_SDK_DISABLED || env.OTEL_TRACES_EXPORTER === 'none') return undefined;
  const wanted =
    env.OTEL_TRACES_EXPORTER === 'otlp' ||
    env.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined ||
    env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT !== undefined;
  if (!wanted) return undefined;
  return {
    protocol: env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf',
    sampler: env.OTEL_TRACES_SAMPLER ?? 'parentbased_always_on',
    samplerRatio: env.OTEL_TRACES_SAMPLER_ARG ?? 1,
    scheduleDelayMs: env.OTEL_BSP_SCHEDULE_DELAY,
    processRole: env.PROCESS_ROLE,
  };
}
