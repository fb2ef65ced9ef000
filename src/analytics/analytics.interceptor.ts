import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { type Observable, tap } from 'rxjs';
import { AnalyticsRepository, type RequestOutcome } from './analytics.repository';

/**
 * Facts about a response the analytics need but the client must not see (what a hit saved). A symbol key: JSON
 * serialization skips it, so it never reaches the wire.
 */
export const ANALYTICS_FACTS = Symbol('analytics facts');

export interface AnalyticsFacts {
  readonly tokensSaved?: number;
}

interface CountableResponse {
  readonly cache?: unknown;
  readonly job_id?: string;
  readonly [ANALYTICS_FACTS]?: AnalyticsFacts;
}

const OUTCOMES = new Set<unknown>(['hit', 'miss', 'deduplicated']);

/** Counts every answered submission as a cache hit, miss or deduplication, from the `cache` field of the response. */
@Injectable()
export class AnalyticsInterceptor implements NestInterceptor {
  constructor(private readonly analytics: AnalyticsRepository) {}

  intercept(_context: ExecutionContext, next: CallHandler<CountableResponse>): Observable<CountableResponse> {
    return next.handle().pipe(
      tap((response) => {
        if (!OUTCOMES.has(response?.cache)) return;
        this.analytics.recordRequest(response.cache as RequestOutcome, {
          tokensSaved: response[ANALYTICS_FACTS]?.tokensSaved,
          jobId: response.job_id,
        });
      }),
    );
  }
}
