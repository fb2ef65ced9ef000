import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { AccessCheck } from '../access/access-check.repository';
import { type AccessGrant, OPEN_GRANT } from '../access/access-grant';
import { AccessService } from '../access/access.service';
import { SubmitAccessHook } from '../access/submit-access.hook';
import type { Environment } from '../core/config/environment';
import { ProblemException } from '../core/http/problem-details';
import { answerRawSocket } from '../core/http/raw-answer';
import { clientAddressOf, parseTrustProxy } from '../core/http/trust-proxy';
import { isRedisOutOfMemory, isRedisUnavailableError } from '../core/redis/redis-connection';
import type { CacheScope } from '../jobs/cache-scope';
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
/** WebSocket close code of a connection whose API key was revoked (RFC 6455: policy violation). */
const CLOSE_POLICY_VIOLATION = 1008;
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
 * Access (src/access) as on the HTTP routes: the handshake needs a valid key (headers `Authorization: Bearer` or
 * `x-api-key`) when keys are on and counts as a request against the rate; so does every `subscribe` and `submit`
 * frame, which is checked again (a revoked key is told and the socket closed with 1008). Subscriptions see only jobs
 * of the caller's cache scope.
 *
 * `ws` on the HTTP server's `upgrade` event rather than a Nest gateway: the events come from the same JobEventsHub as
 * SSE, and a socket is one small object here (the benchmark holds thousands per process).
 */
@Injectable()
export class LiveSocketServer implements OnApplicationBootstrap {
  private readonly logger = new Logger(LiveSocketServer.name);
  private readonly sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  private readonly trustProxy: boolean | string[];

  constructor(
    config: ConfigService<Environment, true>,
    private readonly access: AccessService,
    private readonly accessHook: SubmitAccessHook,
    private readonly adapterHost: HttpAdapterHost,
    private readonly hub: JobEventsHub,
    private readonly jobs: SummarizeJobRepository,
    private readonly submitService: SubmitService,
    private readonly analyticsHook: AnalyticsHook,
    private readonly connections: LiveConnections,
  ) {
    this.trustProxy = parseTrustProxy(config.get('TRUST_PROXY', { infer: true }));
  }

  onApplicationBootstrap(): void {
    const server = this.adapterHost.httpAdapter.getHttpServer() as Server;
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      this.upgrade(request, socket, head).catch((error: unknown) => {
        this.logger.error({ err: error }, 'WebSocket upgrade failed');
        answerRawSocket(socket, 500, 'an unexpected error occurred');
      });
    });
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

  private async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const path = (request.url ?? '').split('?')[0];
    if (path !== LIVE_SOCKET_PATH) return answerRawSocket(socket, 404, `no WebSocket endpoint at ${path}`);
    if (!this.connections.accepting) return answerRawSocket(socket, 503, 'the server is shutting down');
    let check: AccessCheck | null = null;
    try {
      check = this.access.identify({
        headers: request.headers,
        ip: clientAddressOf(request, this.trustProxy),
      });
      await this.access.begin(check).decision();
    } catch (error) {
      const { status, detail, headers } = problemOf(error);
      return answerRawSocket(socket, status, detail, headers);
    }
    this.sockets.handleUpgrade(request, socket, head, (client) => this.serve(client, check));
  }

  private serve(client: WebSocket, check: AccessCheck | null): void {
    const session = new LiveSocketSession(client, check, {
      access: this.access,
      accessHook: this.accessHook,
      hub: this.hub,
      jobs: this.jobs,
      submitService: this.submitService,
      analyticsHook: this.analyticsHook,
      logger: this.logger,
    });
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

/** What a session works with (the server's collaborators). */
interface SessionServices {
  readonly access: AccessService;
  readonly accessHook: SubmitAccessHook;
  readonly hub: JobEventsHub;
  readonly jobs: SummarizeJobRepository;
  readonly submitService: SubmitService;
  readonly analyticsHook: AnalyticsHook;
  readonly logger: Logger;
}

/** One client's subscriptions and frames. */
class LiveSocketSession implements LiveConnection {
  /** Job id → stop following it; and the last event id sent for it (no repeats, as with SSE). */
  private readonly subscriptions = new Map<string, { unfollow: () => void; lastSentId: number }>();

  /** @param check the caller's credentials from the handshake, checked again for every request frame */
  constructor(
    private readonly client: WebSocket,
    private readonly check: AccessCheck | null,
    private readonly services: SessionServices,
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
      else if (frame.type === 'subscribe') await this.subscribe(frame.job_id, (await this.authorize()).scope);
      else this.unsubscribe(frame.job_id);
    } catch (error) {
      const problem = problemOf(error);
      this.write({
        type: 'error',
        message: problem.detail,
        status: problem.status,
        ...('job_id' in frame ? { job_id: frame.job_id } : {}),
        ...(problem.headers['retry-after'] ? { retry_after: Number(problem.headers['retry-after']) } : {}),
      });
      if (problem.status === 401) this.client.close(CLOSE_POLICY_VIOLATION, 'the API key is no longer valid');
      if (problem.status === 500) this.services.logger.error({ err: error }, 'WebSocket frame failed');
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

  /** A request frame's access check: the key (revoked since?) and the rate, as an HTTP request would be checked. */
  private authorize(): Promise<AccessGrant> {
    return this.check === null
      ? Promise.resolve(OPEN_GRANT)
      : this.services.access.begin(this.check).decision();
  }

  private async subscribe(jobId: string, scope: CacheScope): Promise<void> {
    if (this.subscriptions.has(jobId)) return;
    if (!isJobId(jobId)) return this.error(`unknown job id ${jobId}`, jobId);
    if (this.subscriptions.size >= MAX_SUBSCRIPTIONS) {
      return this.error(`at most ${MAX_SUBSCRIPTIONS} subscriptions per connection`, jobId);
    }
    // Follow first, then read (as SSE does): an event in between is not missed, and ids keep it from repeating.
    const subscription = { unfollow: (): void => undefined, lastSentId: 0 };
    this.subscriptions.set(jobId, subscription);
    subscription.unfollow = this.services.hub.follow(jobId, (event) => this.send(jobId, event));
    let status;
    try {
      status = await this.services.jobs.status(jobId, scope);
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
    const access = this.check === null ? undefined : this.services.access.begin(this.check);
    const answer = await this.services.submitService.submit(input, { access });
    this.services.analyticsHook.count(answer);
    const grant = access?.grant ?? OPEN_GRANT;
    this.services.accessHook.countOutcomes(grant, [answer.cache]);
    this.write({ type: 'submitted', ...answer });
    if ('job_id' in answer) await this.subscribe(answer.job_id, grant.scope);
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

/** The problem an error answers with: its status, what to tell the client, and headers (Retry-After). */
function problemOf(error: unknown): { status: number; detail: string; headers: Record<string, string> } {
  if (error instanceof ProblemException)
    return { status: error.problem.status, detail: error.problem.detail, headers: { ...error.headers } };
  if (isRedisOutOfMemory(error))
    return {
      status: 503,
      detail: 'Redis is out of memory; try again later',
      headers: { 'retry-after': '30' },
    };
  if (isRedisUnavailableError(error))
    return {
      status: 503,
      detail: 'Redis is unavailable; try again shortly',
      headers: { 'retry-after': '1' },
    };
  return { status: 500, detail: 'an unexpected error occurred', headers: {} };
}
