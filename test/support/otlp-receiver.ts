import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import protobuf from 'protobufjs';

/** An attribute value as OTLP carries it (arrays and maps are not used by the spans under test). */
export type OtlpValue = string | number | boolean;

/** One span as received, whatever the encoding. */
export interface ReceivedSpan {
  /** 32 hex digits. */
  readonly traceId: string;
  /** 16 hex digits. */
  readonly spanId: string;
  /** 16 hex digits, or '' for a root span. */
  readonly parentSpanId: string;
  readonly name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  readonly kind: number;
  readonly attributes: Readonly<Record<string, OtlpValue>>;
  /** The attributes of the resource that sent it (service.name, …). */
  readonly resource: Readonly<Record<string, OtlpValue>>;
  readonly encoding: 'json' | 'protobuf';
}

/** One export request as received. */
export interface ReceivedExport {
  readonly contentType: string;
  readonly bytes: number;
}

/**
 * The OTLP trace messages, from opentelemetry-proto (`opentelemetry/proto/collector/trace/v1/trace_service.proto` and
 * the messages it uses), cut to the fields the tests read; the field numbers are the specification's. Written out
 * because the OpenTelemetry JS packages no longer ship the .proto files (their serializer is hand-written).
 */
const OTLP_TRACE_PROTO = `
syntax = "proto3";
package otlp;
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; string schema_url = 3; }
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; string schema_url = 3; }
message InstrumentationScope { string name = 1; string version = 2; }
message Span {
  bytes trace_id = 1;
  bytes span_id = 2;
  string trace_state = 3;
  bytes parent_span_id = 4;
  fixed32 flags = 16;
  string name = 5;
  int32 kind = 6;
  fixed64 start_time_unix_nano = 7;
  fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9;
}
message KeyValue { string key = 1; AnyValue value = 2; }
message AnyValue {
  oneof value {
    string string_value = 1;
    bool bool_value = 2;
    int64 int_value = 3;
    double double_value = 4;
    bytes bytes_value = 7;
  }
}
`;
const ExportTraceServiceRequest = protobuf
  .parse(OTLP_TRACE_PROTO, { keepCase: false })
  .root.lookupType('otlp.ExportTraceServiceRequest');

/** The decoded shape of both encodings (OTLP/JSON uses the same field names; ids are hex there, bytes here). */
interface ExportRequest {
  resourceSpans?: Array<{
    resource?: { attributes?: KeyValue[] };
    scopeSpans?: Array<{
      spans?: Array<{
        traceId?: string;
        spanId?: string;
        parentSpanId?: string;
        name?: string;
        kind?: number;
        attributes?: KeyValue[];
      }>;
    }>;
  }>;
}
interface KeyValue {
  key: string;
  value?: {
    stringValue?: string;
    boolValue?: boolean;
    intValue?: number | string;
    doubleValue?: number;
  };
}

/**
 * An OTLP/HTTP trace receiver on 127.0.0.1 (`POST /v1/traces`, `http/json` and `http/protobuf`), recording every span
 * it is sent. A plain `node:http` server: what an OpenTelemetry Collector's OTLP receiver does, for the tests.
 */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  readonly exports: ReceivedExport[] = [];
  /** Bodies that could not be decoded (a test asserts there are none). */
  readonly problems: string[] = [];

  private constructor(private readonly server: Server) {}

  static async start(): Promise<OtlpReceiver> {
    const server = createServer();
    const receiver = new OtlpReceiver(server);
    server.on('request', (request: IncomingMessage, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const contentType = request.headers['content-type'] ?? '';
        if (request.method !== 'POST' || request.url !== '/v1/traces') {
          response.writeHead(404).end();
          return;
        }
        receiver.receive(contentType, Buffer.concat(chunks));
        // An empty ExportTraceServiceResponse: full success, in the request's encoding.
        if (contentType.startsWith('application/json')) {
          response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        } else {
          response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  /** The base URL for `OTEL_EXPORTER_OTLP_ENDPOINT` (`/v1/traces` is appended by the exporter). */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Forgets what was received (between tests). */
  reset(): void {
    this.spans.length = 0;
    this.exports.length = 0;
    this.problems.length = 0;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private receive(contentType: string, body: Buffer): void {
    this.exports.push({ contentType, bytes: body.length });
    try {
      if (contentType.startsWith('application/json')) {
        this.collect(JSON.parse(body.toString('utf8')) as ExportRequest, 'json');
      } else if (contentType.startsWith('application/x-protobuf')) {
        const message = ExportTraceServiceRequest.decode(body);
        const decoded = ExportTraceServiceRequest.toObject(message, {
          longs: Number,
          bytes: String,
          defaults: false,
        }) as ExportRequest;
        this.collect(decoded, 'protobuf');
      } else {
        this.problems.push(`unexpected content-type ${contentType}`);
      }
    } catch (error) {
      this.problems.push(`${contentType}: ${(error as Error).message}`);
    }
  }

  private collect(request: ExportRequest, encoding: ReceivedSpan['encoding']): void {
    // protobufjs renders bytes as base64 (`bytes: String`); OTLP/JSON sends ids as hex already.
    const id = (value: string | undefined) =>
      encoding === 'protobuf' ? Buffer.from(value ?? '', 'base64').toString('hex') : (value ?? '');
    for (const resourceSpans of request.resourceSpans ?? []) {
      const resource = attributesOf(resourceSpans.resource?.attributes);
      for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
        for (const span of scopeSpans.spans ?? []) {
          this.spans.push({
            traceId: id(span.traceId),
            spanId: id(span.spanId),
            parentSpanId: id(span.parentSpanId),
            name: span.name ?? '',
            kind: span.kind ?? 0,
            attributes: attributesOf(span.attributes),
            resource,
            encoding,
          });
        }
      }
    }
  }
}

function attributesOf(keyValues: KeyValue[] | undefined): Record<string, OtlpValue> {
  const attributes: Record<string, OtlpValue> = {};
  for (const { key, value } of keyValues ?? []) {
    if (value?.stringValue !== undefined) attributes[key] = value.stringValue;
    else if (value?.boolValue !== undefined) attributes[key] = value.boolValue;
    // OTLP/JSON sends 64-bit integers as strings.
    else if (value?.intValue !== undefined) attributes[key] = Number(value.intValue);
    else if (value?.doubleValue !== undefined) attributes[key] = value.doubleValue;
  }
  return attributes;
}
