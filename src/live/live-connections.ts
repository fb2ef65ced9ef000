import { Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';

/** An open stream or socket that follows jobs: told when the server goes away. */
export interface LiveConnection {
  /** Sends a last word saying the server is going away, and closes. */
  goAway(): void;
}

/**
 * The SSE streams and WebSockets an API process holds open. On shutdown they get a final event or close frame saying
 * the server is going away, before the HTTP server closes (which would otherwise wait for them until the shutdown
 * timeout), so SHUTDOWN_TIMEOUT_MS bounds them too.
 */
@Injectable()
export class LiveConnections implements BeforeApplicationShutdown {
  private readonly logger = new Logger(LiveConnections.name);
  private readonly open = new Set<LiveConnection>();
  private closing = false;

  get size(): number {
    return this.open.size;
  }

  get accepting(): boolean {
    return !this.closing;
  }

  add(connection: LiveConnection): () => void {
    this.open.add(connection);
    return () => this.open.delete(connection);
  }

  beforeApplicationShutdown(): void {
    this.closing = true;
    if (this.open.size > 0) this.logger.log(`closing ${this.open.size} live connections: server going away`);
    for (const connection of [...this.open]) {
      try {
        connection.goAway();
      } catch (error) {
        this.logger.warn({ err: error }, 'could not close a live connection');
      }
    }
    this.open.clear();
  }
}
