import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest, preSerializationHookHandler } from 'fastify';
import { MetricsRegistry } from '../metrics/metrics.registry';
import { AnalyticsRepository, type RequestOutcome } from './analytics.repository';

/**
 * Facts about a response the analytics need but the client must not see (what a hit saved). A symbol key: the
 * response schema's serializer skips it, so it never reaches the wire.
 */
export const ANALYTICS_FACTS = Symbol('analytics facts');

export interface AnalyticsFacts {
  readonly tokensSaved?: number;
  /** The hit came from the PostgreSQL archive rather than the Redis cache. */
  readonly archiveHit?: boolean;
}

interface CountableResponse {
  readonly cache?: unknown;
  readonly job_id?: string;
  readonly [ANALYTICS_FACTS]?: AnalyticsFacts;
}

const OUTCOMES = new Set<unknown>(['hit', 'miss', 'deduplicated']);

/**
 * The analytics interceptor of `POST /api/submit`: counts every answered submission as a cache hit, miss or
 * deduplication, from the `cache` field of the response, so the route's handler knows nothing of analytics.
 *
 * A Fastify `preSerialization` hook rather than a Nest interceptor because the route is a native Fastify route (Nest's
 * interceptor pipeline alone cost 17 % of the hit path's throughput; docs/performance.md). Error answers carry no
 * `cache` field and are not counted.
 */
@Injectable()
export class AnalyticsHook {
  constructor(
    private readonly analytics: AnalyticsRepository,
    private readonly metrics: MetricsRegistry,
  ) {}

  readonly preSerialization: preSerializationHookHandler<unknown> = (
    _request: FastifyRequest,
    _reply: FastifyReply,
    payload: unknown,
    done,
  ) => {
    const response = payload as CountableResponse | null;
    if (response && OUTCOMES.has(response.cache)) {
      // smartcache_submissions_total: in memory, like the analytics' own count (no Redis round trip).
      this.metrics.countSubmission(response.cache as RequestOutcome);
      this.analytics.recordRequest(response.cache as RequestOutcome, {
        tokensSaved: response[ANALYTICS_FACTS]?.tokensSaved,
        archiveHit: response[ANALYTICS_FACTS]?.archiveHit,
        jobId: response.job_id,
      });
    }
    done(null, payload);
  };
}
