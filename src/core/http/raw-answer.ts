import type { Duplex } from 'node:stream';
import { PROBLEM_JSON, statusTitle } from './problem-details';

/**
 * Writes a problem answer straight to a socket no route will see (CONNECT, requests the HTTP parser refuses, an
 * upgrade to a path with no WebSocket), then closes it: a client gets an HTTP answer instead of a closed socket.
 */
export function answerRawSocket(
  socket: Duplex,
  status: number,
  detail: string,
  headers: Record<string, string> = {},
): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify({ type: 'about:blank', title: statusTitle(status), status, detail });
  const head = Object.entries({
    'content-type': PROBLEM_JSON,
    'content-length': String(Buffer.byteLength(body)),
    connection: 'close',
    ...headers,
  })
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.end(`HTTP/1.1 ${status} ${statusTitle(status)}\r\n${head}\r\n${body}`);
}
