import {
  Controller,
  Get,
  Headers,
  NotFoundException,
  Param,
  Req,
  Res,
  ServiceUnavailableException,
} from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AccessGrant } from '../access/access-grant';
import { ApiAccess, CallerGrant } from '../access/api-access.guard';
import { ApiProblem, ApiRedisProblems } from '../core/http/openapi';
import { isJobId } from '../jobs/job-id';
import { SummarizeJobRepository } from '../jobs/summarize-job.repository';
import { eventOfStatus, JobEventStream, parseLastEventId } from './job-event-stream';
import { JobEventsHub, type JobEvent } from './job-events.hub';
import { LiveConnections } from './live-connections';

@ApiTags('status')
@Controller('api/status')
@ApiAccess()
export class JobEventsController {
  constructor(
    private readonly hub: JobEventsHub,
    private readonly jobs: SummarizeJobRepository,
    private readonly connections: LiveConnections,
  ) {}

  @Get(':job_id/events')
  @ApiOperation({
    summary: "A job's progress as Server-Sent Events, then its end",
    description:
      'Events `progress` (data `{"stage"}`), then exactly one of `completed` / `failed` (data: the full status ' +
      'object), then the stream ends. A job already finished sends its final event at once. Heartbeat comments every ' +
      '15 s; event ids are the stage number, so `Last-Event-ID` resumes without repeats.',
    operationId: 'getJobEvents',
  })
  @ApiProduces('text/event-stream')
  @ApiResponse({
    status: 200,
    description: 'The event stream.',
    content: { 'text/event-stream': { schema: { type: 'string' } } },
  })
  @ApiProblem(404, 'Unknown job id, the job expired from retention, or it is of another cache scope.')
  @ApiRedisProblems()
  async events(
    @Param('job_id') jobId: string,
    @Headers('last-event-id') lastEventId: string | undefined,
    @CallerGrant() grant: AccessGrant,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (!isJobId(jobId)) throw notFound(jobId);
    if (!this.connections.accepting) throw new ServiceUnavailableException('the server is shutting down');
    // Follow first, then read: nothing that happens in between is missed. Events wait until the stream is open.
    const early: JobEvent[] = [];
    const sink: { stream?: JobEventStream } = {};
    const unfollow = this.hub.follow(jobId, (event) =>
      sink.stream ? sink.stream.send(event) : early.push(event),
    );
    let status;
    try {
      status = await this.jobs.status(jobId, grant.scope);
    } catch (error) {
      unfollow();
      throw error;
    }
    if (!status) {
      unfollow();
      throw notFound(jobId);
    }
    reply.hijack();
    let forget = (): void => undefined;
    const stream = new JobEventStream(reply.raw, parseLastEventId(lastEventId), () => {
      unfollow();
      forget();
    });
    forget = this.connections.add(stream);
    // The headers set so far (the access guard's RateLimit fields): the hijacked response is written by hand.
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(reply.getHeaders()))
      if (typeof value === 'string' || typeof value === 'number') headers[name] = String(value);
    stream.open({ ...headers, 'x-request-id': request.id });
    stream.send(eventOfStatus(status));
    for (const event of early) stream.send(event);
    sink.stream = stream;
  }
}

function notFound(jobId: string): NotFoundException {
  return new NotFoundException(`no job with id ${jobId} (unknown, or expired from retention)`);
}
