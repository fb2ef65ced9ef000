import { describe, expect, it } from 'vitest';
import { validateEnvironment } from '../core/config/environment';
import { tracingSettings } from './tracing-settings';

const settingsOf = (vars: Record<string, string>) => tracingSettings(validateEnvironment(vars));

describe('tracingSettings (the standard OTEL_* variables)', () => {
  it('is off by default', () => {
    expect(settingsOf({})).toBeUndefined();
  });

  it('is on with an OTLP endpoint, a traces endpoint or OTEL_TRACES_EXPORTER=otlp; http/protobuf by default', () => {
    const cases: Array<Record<string, string>> = [
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' },
      { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' },
      { OTEL_TRACES_EXPORTER: 'otlp' },
    ];
    for (const vars of cases) {
      expect(settingsOf(vars)).toMatchObject({ protocol: 'http/protobuf', sampler: 'parentbased_always_on' });
    }
  });

  it('stays off with OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none, whatever else is set', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
    expect(settingsOf({ ...endpoint, OTEL_SDK_DISABLED: 'true' })).toBeUndefined();
    expect(settingsOf({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' })).toBeUndefined();
  });

  it('takes the traces protocol over the general one', () => {
    const on = { OTEL_TRACES_EXPORTER: 'otlp' };
    expect(settingsOf({ ...on, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })?.protocol).toBe('http/json');
    expect(
      settingsOf({
        ...on,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf',
      })?.protocol,
    ).toBe('http/protobuf');
  });

  it('refuses gRPC, unknown exporters and endpoints that are not URLs at start-up, with the other variables', () => {
    expect(() =>
      validateEnvironment({
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_TRACES_EXPORTER: 'zipkin',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318',
        OTEL_TRACES_SAMPLER_ARG: '2',
      }),
    ).toThrow(
      /OTEL_TRACES_EXPORTER[\s\S]*OTEL_EXPORTER_OTLP_ENDPOINT[\s\S]*OTEL_EXPORTER_OTLP_PROTOCOL="grpc": must be one of: http\/protobuf, http\/json[\s\S]*OTEL_TRACES_SAMPLER_ARG/,
    );
  });
});
