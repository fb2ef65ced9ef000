import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An HTTP server on 127.0.0.1 (ephemeral port) that records every request it receives. */
export interface LocalServer {
  readonly port: number;
  /** `host:port` of the server, e.g. for FETCH_ALLOWED_HOSTS. */
  readonly hostPort: string;
  readonly url: (path?: string) => string;
  /** Requests received so far (path and Host header). */
  readonly hits: Array<{ path: string; host: string | undefined }>;
  /** Connections opened to the server, whether or not a request followed. */
  readonly connections: () => number;
  readonly close: () => Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export async function startServer(handler: Handler = defaultHandler): Promise<LocalServer> {
  const hits: LocalServer['hits'] = [];
  let connections = 0;
  const server: Server = createServer((req, res) => {
    hits.push({ path: req.url ?? '', host: req.headers.host });
    handler(req, res);
  });
  server.on('connection', () => {
    connections++;
  });
  // Loopback only: tests never reach any other address.
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    hostPort: `127.0.0.1:${port}`,
    url: (path = '/') => `http://127.0.0.1:${port}${path}`,
    hits,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function defaultHandler(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(articleHtml());
}

/** A page Readability recognizes: navigation and footer around a long article. */
export function articleHtml(title = 'A test article about local servers', paragraphs = 6): string {
  const body = Array.from(
    { length: paragraphs },
    (_, i) =>
      `<p>Paragraph ${i + 1} of the article explains, in some detail, how a local test server answers requests ` +
      `from the fetcher, why it only listens on the loopback interface, and what the fetcher must refuse.</p>`,
  ).join('\n');
  return `<!doctype html><html><head><title>${title} | Example Site</title></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a> <a href="/about">About us</a></nav>
<header><h1>Example Site</h1></header>
<main><article><h1>${title}</h1>${body}</article></main>
<footer>Copyright Example Site. All rights reserved. Privacy policy. Cookie settings.</footer>
</body></html>`;
}
