import type { JobStatus } from '../../jobs/job-status';
import type { JobHistoryRow } from './job-history.repository';

/**
 * A history row as `GET /api/status/:job_id` shows a finished job, field for field, so a client cannot tell (and
 * need not care) whether the answer came from BullMQ's record or from PostgreSQL.
 */
export function historyRowToStatus(row: JobHistoryRow): JobStatus {
  const completed = row.status === 'completed';
  return {
    job_id: row.id,
    status: row.status,
    stage: 'done',
    summary: completed ? row.summary : null,
    tags: completed ? row.tags : null,
    error: completed ? null : (row.error ?? 'failed'),
    input_type: row.input_type,
    created_at: row.created_at.toISOString(),
    finished_at: row.finished_at.toISOString(),
    processing_time_ms: row.processing_time_ms,
    attempts: row.attempts,
    provider: completed ? row.provider : null,
    model: completed ? row.model : null,
    fallback: completed ? row.fallback : null,
    cost_usd: completed && row.cost_usd !== null ? Number(row.cost_usd) : null,
    model_version: completed ? row.model_version : null,
    note: null,
    tokens_used: completed ? row.total_tokens : null,
    source_url: row.source_url,
    final_url: row.final_url,
    title: row.title,
    fetched_at: row.fetched_at ? row.fetched_at.toISOString() : null,
  };
}
