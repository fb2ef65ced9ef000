import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { AnalyticsSampler } from './analytics-sampler';
import type { DashboardUpdate } from './dashboard-sample';

/** Open event streams one process serves at most; more get a 503 (each costs a timer and a socket). */
export const MAX_DASHBOARD_STREAMS = 100;
/** A comment line this often, so proxies and the browser see a live connection even while no sample comes. */
export const HEARTBEAT_MS = 15_000;
/** Bytes an unread stream may buffer before it is dropped (a stuck client must not hold memory; it reconnects). */
const MAX_BUFFERED_BYTES = 1_048_576;
/** How soon EventSource reconnects after the stream ends. */
const RECONNECT_MS = 2_000;

/**
 * The dashboard's live feed as Server-Sent Events (`text/event-stream`): on connect a `history` event (the last
 * 15 minutes of samples and the latest analytics), then a `sample` event per read (about once a second) or a `stale`
 * event per failed read, and a `: heartbeat` comment every {@link HEARTBEAT_MS}. Every payload is one line of JSON.
 *
 * Hand-written rather than Nest's `@Sse()`: that sends only `data`/`event`/`id` frames from an Observable, with no
 * comment lines for heartbeats, no `retry:` hint and no say over buffering; the protocol itself is a few lines.
 */
@Injectable()
export class DashboardEventsService implements OnModuleDestroy {
  private readonly streams = new Set<ServerResponse>();
  private closing = false;

  constructor(private readonly sampler: AnalyticsSampler) {}

  /** Whether another stream may be opened now (not at the limit, not shutting down). */
  get acceptsStreams(): boolean {
    return !this.closing && this.streams.size < MAX_DASHBOARD_STREAMS;
  }

  /** Streams to `response` until the client goes away or the app shuts down. */
  open(response: ServerResponse): void {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      // Tells nginx-style proxies not to hold the events back in their buffer.
      'x-accel-buffering': 'no',
    });
    this.streams.add(response);
    const send = (frame: string): void => {
      if (response.writableEnded || response.destroyed) return;
      if (response.writableLength > MAX_BUFFERED_BYTES) {
        response.destroy();
        return;
      }
      response.write(frame);
    };
    send(`retry: ${RECONNECT_MS}\n\n`);
    send(eventFrame('history', this.sampler.history()));
    const unsubscribe = this.sampler.subscribe((update: DashboardUpdate) =>
      send(eventFrame(update.type, update.data)),
    );
    const heartbeat = setInterval(() => send(': heartbeat\n\n'), HEARTBEAT_MS).unref();
    response.once('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      this.streams.delete(response);
    });
  }

  /**
   * Ends every stream before the HTTP server closes (which would otherwise wait for them until the shutdown
   * timeout), and refuses new ones: the browser's reconnect gets a 503 and tries again elsewhere or later.
   */
  onModuleDestroy(): void {
    this.closing = true;
    for (const stream of this.streams) stream.end();
  }

  /** Open streams (for tests and diagnostics). */
  get openStreams(): number {
    return this.streams.size;
  }
}

function eventFrame(event: string, data: unknown): string {
  // JSON.stringify never emits a raw newline, so one `data:` line carries the whole payload.
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
