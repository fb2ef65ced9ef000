import { createServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP proxy on loopback that holds every chunk a client sends for `delayMs` before passing it on (replies pass at
 * once), in order: each client-to-server trip costs `delayMs`, whatever else is in flight. A request that waits for
 * one Redis round trip then takes about `delayMs`; one that waits for two takes at least twice that.
 */
export class DelayingProxy {
  delayMs = 0;
  private readonly sockets = new Set<Socket>();
  private readonly server = createServer((client) => this.pipe(client));

  private constructor(
    private readonly targetPort: number,
    private readonly targetHost: string,
  ) {}

  static async start(targetPort: number, targetHost = '127.0.0.1'): Promise<DelayingProxy> {
    const proxy = new DelayingProxy(targetPort, targetHost);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    return `redis://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private pipe(client: Socket): void {
    const upstream = connect(this.targetPort, this.targetHost);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (chunk: Buffer) => {
      if (this.delayMs === 0) upstream.write(chunk);
      else setTimeout(() => upstream.write(chunk), this.delayMs);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
  }
}
