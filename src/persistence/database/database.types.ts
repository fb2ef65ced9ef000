import type { ColumnType, Generated, JSONColumnType } from 'kysely';
import type { InputType, StageTimings, SummarizeJobResult } from '../../jobs/summarize-job';

/** A timestamptz column: read as a Date, written as a Date or an ISO string. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;

/** Per-stage durations of a job, in ms, when the worker measured them (filled by a later change). */
export type { StageTimings };

/** One finished job (completed or failed for good): the durable record behind `GET /api/status` and `/api/jobs`. */
export interface JobHistoryTable {
  id: string;
  input_hash: string;
  input_type: InputType;
  status: 'completed' | 'failed';
  source_url: string | null;
  final_url: string | null;
  title: string | null;
  /** URL inputs: when the page was fetched (part of the status object). */
  fetched_at: Timestamp | null;
  summary: string | null;
  tags: string[] | null;
  provider: string | null;
  model: string | null;
  model_version: string | null;
  fallback: boolean | null;
  input_tokens: number | null;
  output_tokens: number | null;
  total_tokens: number | null;
  /** numeric: pg reads it as a string, so no precision is lost on the way. */
  cost_usd: ColumnType<string | null, string | number | null, string | number | null>;
  stage_timings: JSONColumnType<StageTimings | null, string | null, string | null>;
  processing_time_ms: number | null;
  error: string | null;
  attempts: number;
  api_key_id: string | null;
  /** The API key owning the private cache scope the job was made in; null: the shared scope. */
  scope_owner: string | null;
  created_at: Timestamp;
  finished_at: Timestamp;
}

/** The summaries themselves, keyed by the same hash as Redis `summary:{hash}`; the result exactly as cached. */
export interface SummaryArchiveTable {
  hash: string;
  result: JSONColumnType<SummarizeJobResult, string, string>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** Request counters per hour, copied from Redis `analytics:hourly:{YYYYMMDDHH}` (set, not added: idempotent). */
export interface AnalyticsHourlyTable {
  bucket: Timestamp;
  requests: ColumnType<number, number, number>;
  cache_hits: ColumnType<number, number, number>;
  cache_misses: ColumnType<number, number, number>;
  deduplicated: ColumnType<number, number, number>;
  archive_hits: ColumnType<number, number, number>;
  tokens_saved: ColumnType<number, number, number>;
  updated_at: Generated<Date>;
}

/** The schema as the code sees it; the migrations in ./migrations make it so. */
export interface Database {
  job_history: JobHistoryTable;
  summary_archive: SummaryArchiveTable;
  analytics_hourly: AnalyticsHourlyTable;
}
