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
  /** What the summary served cost when it was made (USD): what the hit avoided paying. */
  readonly costSavedUsd?: number;
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
 * The analytics interceptor of the submit routes: counts every answered submission as a cache hit, miss or
 * deduplication, from the `cache` field of the answer, so the handlers know nothing of analytics. `count()` serves
 * the other ways in (a batch's items, a WebSocket submit).
 *
 * A Fastify `preSerialization` hook rather than a Nest interceptor because the routes are native Fastify routes (the
 * benchmark's `route` section, `BENCH_ONLY=hit,route`, compares them with a Nest controller and an interceptor).
 * Error answers carry no `cache` field and are not counted.
 */
@Injectable()
export class AnalyticsHook {
  constructor(
    private readonly analytics: AnalyticsRepository,
    private readonly metrics: MetricsRegistry,
  ) {}

  /** Counts one answered submission (anything without a `cache` outcome is ignored). */
  count(answer: unknown): void {
    const response = answer as CountableResponse | null;
    if (!response || !OUTCOMES.has(response.cache)) return;
    // smartcache_submissions_total: in memory, like the analytics' own count (no Redis round trip).
    this.metrics.countSubmission(response.cache as RequestOutcome);
    this.analytics.recordRequest(response.cache as RequestOutcome, {
      tokensSaved: response[ANALYTICS_FACTS]?.tokensSaved,
      costSavedUsd: response[ANALYTICS_FACTS]?.costSavedUsd,
      archiveHit: response[ANALYTICS_FACTS]?.archiveHit,
      jobId: response.job_id,
    });
  }

  readonly preSerialization: preSerializationHookHandler<unknown> = (
    _request: FastifyRequest,
    _reply: FastifyReply,
    payload: unknown,
    done,
  ) => {
    this.count(payload);
    done(null, payload);
  };

  /** The batch route's: every item of `{results}` counts as a submission. */
  readonly preSerializationBatch: preSerializationHookHandler<unknown> = (
    _request: FastifyRequest,
    _reply: FastifyReply,
    payload: unknown,
    done,
  ) => {
    for (const item of (payload as { results?: unknown[] } | null)?.results ?? []) this.count(item);
    done(null, payload);
  };
}
