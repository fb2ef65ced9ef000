import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { ProblemException } from '../core/http/problem-details';
import { answerRawSocket } from '../core/http/raw-answer';
import { isRedisOutOfMemory, isRedisUnavailableError } from '../core/redis/redis-connection';
import { isJobId } from '../jobs/job-id';
import { SummarizeJobRepository } from '../jobs/summarize-job.repository';
import { AnalyticsHook } from '../analytics/analytics.hook';
import { SubmitService } from '../submit/submit.service';
import { eventIdOf, eventOfStatus } from './job-event-stream';
import { JobEventsHub, type JobEvent } from './job-events.hub';
import { LiveConnections, type LiveConnection } from './live-connections';

/** Where the WebSocket endpoint lives. */
export const LIVE_SOCKET_PATH = '/api/ws';
/** Largest frame a client may send: a submit carries its input (MAX_INPUT_BYTES stays the HTTP limit). */
const MAX_FRAME_BYTES = 1_048_576;
/** Jobs one socket may follow at once. */
const MAX_SUBSCRIPTIONS = 1_000;
/** Pings keep proxies from closing quiet sockets and find dead clients (no pong by the next ping: closed). */
const PING_INTERVAL_MS = 30_000;

type ClientFrame =
  | { readonly type: 'subscribe' | 'unsubscribe'; readonly job_id: string }
  | { readonly type: 'submit'; readonly input: unknown; readonly wait?: unknown };

/**
 * `GET /api/ws`: a WebSocket carrying JSON text frames. Clients send `{"type":"subscribe","job_id"}`,
 * `{"type":"unsubscribe","job_id"}` or `{"type":"submit","input"}`; the server sends `{"type":"progress"|"completed"|
 * "failed","job_id","data"}` (the data of the SSE events), `{"type":"submitted", …the submit answer…}`, and
 * `{"type":"error","message"}` for a bad frame or an unknown id (the connection stays open).
 *
 * `ws` on the HTTP server's `upgrade` event rather than a Nest gateway: the events come from the same JobEventsHub as
 * SSE, and a socket is one small object here (the benchmark holds thousands per process).
 */
@Injectable()
export class LiveSocketServer implements OnApplicationBootstrap {
  private readonly logger = new Logger(LiveSocketServer.name);
  private readonly sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly hub: JobEventsHub,
    private readonly jobs: SummarizeJobRepository,
    private readonly submitService: SubmitService,
    private readonly analyticsHook: AnalyticsHook,
    private readonly connections: LiveConnections,
  ) {}

  onApplicationBootstrap(): void {
    const server = this.adapterHost.httpAdapter.getHttpServer() as Server;
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.upgrade(request, socket, head),
    );
    const ping = setInterval(() => {
      for (const client of this.sockets.clients) {
        const alive = client as WebSocket & { alive?: boolean };
        if (alive.alive === false) {
          client.terminate();
          continue;
        }
        alive.alive = false;
        client.ping();
      }
    }, PING_INTERVAL_MS);
    ping.unref();
    this.sockets.on('close', () => clearInterval(ping));
  }

  private upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (request.url ?? '').split('?')[0];
    if (path !== LIVE_SOCKET_PATH) return answerRawSocket(socket, 404, `no WebSocket endpoint at ${path}`);
    if (!this.connections.accepting) return answerRawSocket(socket, 503, 'the server is shutting down');
    this.sockets.handleUpgrade(request, socket, head, (client) => this.serve(client));
  }

  private serve(client: WebSocket): void {
    const session = new LiveSocketSession(
      client,
      this.hub,
      this.jobs,
      this.submitService,
      this.analyticsHook,
      this.logger,
    );
    const forget = this.connections.add(session);
    client.on('pong', () => ((client as WebSocket & { alive?: boolean }).alive = true));
    client.on('message', (data, isBinary) => void session.receive(data, isBinary));
    client.on('close', () => {
      session.end();
      forget();
    });
    client.on('error', () => client.terminate());
  }
}

/** One client's subscriptions and frames. */
class LiveSocketSession implements LiveConnection {
  /** Job id → stop following it; and the last event id sent for it (no repeats, as with SSE). */
  private readonly subscriptions = new Map<string, { unfollow: () => void; lastSentId: number }>();

  constructor(
    private readonly client: WebSocket,
    private readonly hub: JobEventsHub,
    private readonly jobs: SummarizeJobRepository,
    private readonly submitService: SubmitService,
    private readonly analyticsHook: AnalyticsHook,
    private readonly logger: Logger,
  ) {}

  async receive(data: RawData, isBinary: boolean): Promise<void> {
    let frame: ClientFrame;
    try {
      frame = parseFrame(data, isBinary);
    } catch (error) {
      return this.error((error as Error).message);
    }
    try {
      if (frame.type === 'submit') await this.submit(frame.input, frame.wait);
      else if (frame.type === 'subscribe') await this.subscribe(frame.job_id);
      else this.unsubscribe(frame.job_id);
    } catch (error) {
      this.error(messageOf(error), 'job_id' in frame ? frame.job_id : undefined);
      if (
        !(error instanceof ProblemException) &&
        !isRedisUnavailableError(error) &&
        !isRedisOutOfMemory(error)
      ) {
        this.logger.error({ err: error }, 'WebSocket frame failed');
      }
    }
  }

  goAway(): void {
    this.client.close(1001, 'the server is going away; reconnect and subscribe again');
    this.end();
  }

  end(): void {
    for (const { unfollow } of this.subscriptions.values()) unfollow();
    this.subscriptions.clear();
  }

  private async subscribe(jobId: string): Promise<void> {
    if (this.subscriptions.has(jobId)) return;
    if (!isJobId(jobId)) return this.error(`unknown job id ${jobId}`, jobId);
    if (this.subscriptions.size >= MAX_SUBSCRIPTIONS) {
      return this.error(`at most ${MAX_SUBSCRIPTIONS} subscriptions per connection`, jobId);
    }
    // Follow first, then read (as SSE does): an event in between is not missed, and ids keep it from repeating.
    const subscription = { unfollow: (): void => undefined, lastSentId: 0 };
    this.subscriptions.set(jobId, subscription);
    subscription.unfollow = this.hub.follow(jobId, (event) => this.send(jobId, event));
    let status;
    try {
      status = await this.jobs.status(jobId);
    } catch (error) {
      this.unsubscribe(jobId);
      throw error;
    }
    if (!status) {
      this.unsubscribe(jobId);
      return this.error(`unknown job id ${jobId}`, jobId);
    }
    this.send(jobId, eventOfStatus(status));
  }

  private unsubscribe(jobId: string): void {
    this.subscriptions.get(jobId)?.unfollow();
    this.subscriptions.delete(jobId);
  }

  private async submit(input: unknown, wait: unknown): Promise<void> {
    if (typeof input !== 'string')
      return this.error('submit needs "input": a string (text or an http(s) URL)');
    if (wait !== undefined)
      return this.error('"wait" is for HTTP submits: over a WebSocket, the events follow');
    const answer = await this.submitService.submit(input);
    this.analyticsHook.count(answer);
    this.write({ type: 'submitted', ...answer });
    if ('job_id' in answer) await this.subscribe(answer.job_id);
  }

  private send(jobId: string, event: JobEvent): void {
    const subscription = this.subscriptions.get(jobId);
    if (!subscription) return;
    const id = eventIdOf(event);
    if (id <= subscription.lastSentId) return;
    subscription.lastSentId = id;
    const data = event.type === 'progress' ? { stage: event.stage } : event.status;
    this.write({ type: event.type, job_id: jobId, data });
    if (event.type !== 'progress') this.unsubscribe(jobId);
  }

  private error(message: string, jobId?: string): void {
    this.write({ type: 'error', message, ...(jobId === undefined ? {} : { job_id: jobId }) });
  }

  private write(frame: object): void {
    if (this.client.readyState === WebSocket.OPEN) this.client.send(JSON.stringify(frame));
  }
}

/** A client frame, or an Error saying what is wrong with it. */
function parseFrame(data: RawData, isBinary: boolean): ClientFrame {
  if (isBinary) throw new Error('frames must be JSON text, not binary');
  let value: unknown;
  try {
    const bytes = Buffer.isBuffer(data)
      ? data
      : Array.isArray(data)
        ? Buffer.concat(data)
        : Buffer.from(data);
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new Error('the frame is not valid JSON');
  }
  const frame = value as Partial<Record<string, unknown>> | null;
  if (typeof frame !== 'object' || frame === null || Array.isArray(frame))
    throw new Error('a frame must be a JSON object');
  if (frame.type === 'subscribe' || frame.type === 'unsubscribe') {
    if (typeof frame.job_id !== 'string') throw new Error(`${frame.type} needs "job_id": a string`);
    return { type: frame.type, job_id: frame.job_id };
  }
  if (frame.type === 'submit') return { type: 'submit', input: frame.input, wait: frame.wait };
  throw new Error(`unknown frame type ${JSON.stringify(frame.type)}; one of subscribe, unsubscribe, submit`);
}

function messageOf(error: unknown): string {
  if (error instanceof ProblemException) return error.problem.detail;
  if (isRedisOutOfMemory(error)) return 'Redis is out of memory; try again later';
  if (isRedisUnavailableError(error)) return 'Redis is unavailable; try again shortly';
  return 'an unexpected error occurred';
}
