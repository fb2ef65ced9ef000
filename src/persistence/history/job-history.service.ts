import { type CacheScope, sameScope, scopeOfJob, SHARED_SCOPE } from '../../jobs/cache-scope';
import { BadRequestException, Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Environment } from '../../core/config/environment';
import { withDeadline } from '../../core/runtime/with-deadline';
import type { JobStatus } from '../../jobs/job-status';
import { HISTORY_CURSOR_CODEC } from './history-cursor.provider';
import { HistoryCursorCodec, InvalidCursorError } from './history-cursor';
import { historyRowToStatus } from './job-history-status';
import type { JobHistoryQuery } from './job-history-query';
import { JobHistoryRepository } from './job-history.repository';
import type { JobHistoryPageDto } from './job-history-page.dto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Read side of the job history: `GET /api/jobs` pages and the status of jobs Redis has forgotten. */
@Injectable()
export class JobHistoryService {
  private readonly timeoutMs: number;

  constructor(
    private readonly repository: JobHistoryRepository,
    @Inject(HISTORY_CURSOR_CODEC) private readonly cursors: HistoryCursorCodec,
    config: ConfigService<Environment, true>,
  ) {
    this.timeoutMs = config.get('DATABASE_TIMEOUT_MS', { infer: true });
  }

  /** One page, newest first; `next_cursor` is null on the last page. */
  async page({ filters, limit, cursor }: JobHistoryQuery): Promise<JobHistoryPageDto> {
    let after;
    try {
      after = cursor === undefined ? undefined : this.cursors.decode(cursor, filters);
    } catch (error) {
      if (error instanceof InvalidCursorError) throw new BadRequestException(error.message);
      throw error;
    }
    // One row more than asked tells whether another page follows, without a count.
    const rows = await this.bounded(this.repository.page(filters, after, limit + 1), 'list the job history');
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return {
      items: items.map(historyRowToStatus),
      next_cursor:
        rows.length > limit && last
          ? this.cursors.encode({ createdAt: last.created_at, id: last.id }, filters)
          : null,
    };
  }

  /**
   * A finished job's status from its history row, or null when there is none (never recorded, or past retention, or
   * made in another cache scope than the viewer's). A PostgreSQL outage answers 503 rather than a 404 that would tell
   * the client the job does not exist.
   */
  async status(jobId: string, viewer: CacheScope = SHARED_SCOPE): Promise<JobStatus | null> {
    if (!UUID.test(jobId)) return null;
    const row = await this.bounded(this.repository.findById(jobId.toLowerCase()), 'read the job history');
    if (!row || !sameScope(scopeOfJob({ scopeOwner: row.scope_owner ?? undefined }), viewer)) return null;
    return historyRowToStatus(row);
  }

  /**
   * The request path's bound on PostgreSQL (DATABASE_TIMEOUT_MS, at least 5 s here: a list query is heavier than a
   * key lookup). Past it, or on an outage, 503: the history is unavailable, not empty.
   */
  private async bounded<T>(query: Promise<T>, what: string): Promise<T> {
    try {
      return await withDeadline(query, Math.max(this.timeoutMs, 5_000), () => new Error('timed out'));
    } catch (error) {
      throw new ServiceUnavailableException(
        `could not ${what}: PostgreSQL is unavailable; try again shortly`,
        {
          cause: error,
        },
      );
    }
  }
}
