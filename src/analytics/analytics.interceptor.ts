import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { type Observable, tap } from 'rxjs';
import { AnalyticsRepository, type RequestOutcome } from './analytics.repository';

const OUTCOMES = new Set<unknown>(['hit', 'miss', 'deduplicated']);

/** Counts every answered submission as a cache hit, miss or deduplication, from the `cache` field of the response. */
@Injectable()
export class AnalyticsInterceptor implements NestInterceptor {
  constructor(private readonly analytics: AnalyticsRepository) {}

  intercept(
    _context: ExecutionContext,
    next: CallHandler<{ cache?: unknown }>,
  ): Observable<{ cache?: unknown }> {
    return next.handle().pipe(
      tap((response) => {
        if (OUTCOMES.has(response?.cache)) this.analytics.recordRequest(response.cache as RequestOutcome);
      }),
    );
  }
}
