import type { ServerResponse } from 'node:http';
import { JOB_STAGES, type JobStatus } from '../jobs/job-status';
import type { JobEvent } from './job-events.hub';
import type { LiveConnection } from './live-connections';

/** A comment line every this often keeps proxies from closing a quiet stream. */
export const SSE_HEARTBEAT_MS = 15_000;

/**
 * Event ids are the stage's place in the job's life (queued 1 … summarizing 4, the end 5), the same in every API
 * process: a client reconnecting with `Last-Event-ID` gets only what comes after, never a repeat.
 */
export function eventIdOf(event: JobEvent): number {
  return event.type === 'progress' ? JOB_STAGES.indexOf(event.stage) + 1 : JOB_STAGES.length;
}

/** The event a job's current status stands for: its end, or the stage it is in. */
export function eventOfStatus(status: JobStatus): JobEvent {
  if (status.status === 'completed' || status.status === 'failed') return { type: status.status, status };
  return { type: 'progress', stage: status.stage };
}

/**
 * One `text/event-stream` answer following one job (`GET /api/status/:job_id/events`): `progress` events (data
 * `{"stage"}`), then exactly one `completed` or `failed` (data: the full status object), then the stream ends.
 * Written by hand on the raw response: Nest's @Sse() cannot send comment lines (the heartbeat) or set event ids.
 */
export class JobEventStream implements LiveConnection {
  private lastSentId: number;
  private heartbeat: NodeJS.Timeout | undefined;
  private ended = false;

  constructor(
    private readonly response: ServerResponse,
    lastEventId: number,
    private readonly onEnd: () => void,
  ) {
    this.lastSentId = lastEventId;
  }

  /** Writes the headers; from now on the stream is open. */
  open(headers: Record<string, string>): void {
    this.response.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // nginx and similar proxies must pass events through at once.
      'x-accel-buffering': 'no',
    });
    this.response.write('retry: 2000\n\n');
    this.heartbeat = setInterval(() => this.response.write(': heartbeat\n\n'), SSE_HEARTBEAT_MS);
    this.response.once('close', () => this.end());
  }

  /** Sends `event` unless the client has it already (ids only grow); ends the stream after the final event. */
  send(event: JobEvent): void {
    if (this.ended) return;
    const id = eventIdOf(event);
    if (id <= this.lastSentId) {
      if (event.type !== 'progress') this.end();
      return;
    }
    this.lastSentId = id;
    const data = event.type === 'progress' ? { stage: event.stage } : event.status;
    this.response.write(`id: ${id}\nevent: ${event.type}\ndata: ${JSON.stringify(data)}\n\n`);
    if (event.type !== 'progress') this.end();
  }

  goAway(): void {
    if (this.ended) return;
    this.response.write(
      `event: server-shutdown\ndata: ${JSON.stringify({ message: 'the server is going away; reconnect with Last-Event-ID' })}\n\n`,
    );
    this.end();
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.heartbeat);
    this.response.end();
    this.onEnd();
  }
}

/** `Last-Event-ID` as the stage number it names; anything else counts as none. */
export function parseLastEventId(header: string | string[] | undefined): number {
  const value = Array.isArray(header) ? header[0] : header;
  const id = Number(value);
  return Number.isInteger(id) && id >= 0 && id <= JOB_STAGES.length ? id : 0;
}
