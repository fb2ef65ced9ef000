import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a scripted fake sends back for one request. */
export interface FakeHttpAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** Wait this long before answering; `Infinity` never answers (until `stop()`), to exercise client timeouts. */
  readonly delayMs?: number;
}

/** A request header as one string (a repeated header's values joined), or undefined. */
export function requestHeader(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** A request body parsed as JSON; `{}` when it is empty or malformed (the recorded call then shows the problem). */
export function parseJsonBody<T extends object>(rawBody: string): T {
  try {
    return JSON.parse(rawBody || '{}') as T;
  } catch {
    return {} as T;
  }
}

/**
 * A real HTTP server on 127.0.0.1 with an ephemeral port, for contract tests of SDKs without network access.
 * Subclasses turn a request into a {@link FakeHttpAnswer}. Hung requests are torn down by `stop()`, so a test
 * that exercises a timeout never leaks a socket.
 */
export abstract class FakeHttpServer {
  private server: Server | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private address: string | undefined;

  /** `http://127.0.0.1:<port>`; only valid after `start()`. */
  get origin(): string {
    if (!this.address) throw new Error(`${this.constructor.name} is not started`);
    return this.address;
  }

  protected abstract answer(request: IncomingMessage, body: string): FakeHttpAnswer;

  async start(): Promise<this> {
    if (this.server) return this;
    const server = createServer((request, response) => this.onRequest(request, response));
    // Keep-alive sockets would hold stop() open; the SDKs cope with a fresh connection per call.
    server.keepAliveTimeout = 1;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    const { port } = server.address() as AddressInfo;
    this.address = `http://127.0.0.1:${port}`;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private onRequest(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      let answer: FakeHttpAnswer;
      try {
        answer = this.answer(request, Buffer.concat(chunks).toString('utf8'));
      } catch (error) {
        answer = { status: 500, body: { error: { message: `fake failed: ${String(error)}` } } };
      }
      const send = () => {
        if (response.destroyed) return;
        const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
        response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
        response.end(text);
      };
      const delay = answer.delayMs ?? 0;
      if (delay === Infinity) return;
      if (delay <= 0) return send();
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        send();
      }, delay);
      this.timers.add(timer);
    });
  }
}
