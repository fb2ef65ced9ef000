import type { InputType, StageTimings, SummarizeJob, SummarizeJobResult } from '../../jobs/summarize-job';

/** A job_history row as it travels through the outbox (JSON): times are ISO 8601 strings. */
export interface JobHistoryRecord {
  readonly id: string;
  readonly input_hash: string;
  readonly input_type: InputType;
  readonly status: 'completed' | 'failed';
  readonly source_url: string | null;
  readonly final_url: string | null;
  readonly title: string | null;
  readonly fetched_at: string | null;
  readonly summary: string | null;
  readonly tags: string[] | null;
  readonly provider: string | null;
  readonly model: string | null;
  readonly model_version: string | null;
  readonly fallback: boolean | null;
  readonly input_tokens: number | null;
  readonly output_tokens: number | null;
  readonly total_tokens: number | null;
  readonly cost_usd: number | null;
  readonly stage_timings: StageTimings | null;
  readonly processing_time_ms: number | null;
  readonly error: string | null;
  readonly attempts: number;
  readonly api_key_id: string | null;
  readonly scope_owner: string | null;
  readonly created_at: string;
  readonly finished_at: string;
}

/** A summary the job cached, for the archive: the same hash and the result exactly as cached. */
export interface ArchiveRecord {
  readonly hash: string;
  readonly result: SummarizeJobResult;
}

/** One outbox entry: a finished job and the summaries it cached. */
export interface HistoryEntry {
  readonly row: JobHistoryRecord;
  readonly archive: readonly ArchiveRecord[];
}

type FinishedJob = Pick<
  SummarizeJob,
  'id' | 'data' | 'timestamp' | 'attemptsMade' | 'processedOn' | 'finishedOn' | 'failedReason'
>;

const NO_RESULT = {
  summary: null,
  tags: null,
  provider: null,
  model: null,
  fallback: null,
  input_tokens: null,
  output_tokens: null,
  total_tokens: null,
  final_url: null,
  title: null,
  fetched_at: null,
  cost_usd: null,
  model_version: null,
} as const;

/** Who made the job, and in which cache scope. */
function ownerFields(job: FinishedJob) {
  return { api_key_id: job.data.apiKeyId ?? null, scope_owner: job.data.scopeOwner ?? null };
}

/**
 * The entry of a job that is completing, built in the processor before BullMQ marks it completed (so a crash in
 * between leaves a retried job that records itself again, which the writer's upsert absorbs). `finishedAt` is that
 * moment, a few ms before BullMQ's finishedOn. Fallback results are not archived: they are cached briefly so the
 * real provider gets another chance soon, which a 30-day archive entry would defeat.
 */
export function completedHistoryEntry(
  job: FinishedJob,
  result: SummarizeJobResult,
  cacheEntries: readonly ArchiveRecord[],
  finishedAt: number,
): HistoryEntry {
  return {
    row: {
      ...ownerFields(job),
      id: job.id ?? '',
      input_hash: job.data.inputHash,
      input_type: job.data.inputType,
      status: 'completed',
      cost_usd: result.cost_usd ?? null,
      model_version: result.model_version ?? null,
      source_url: result.source_url ?? (job.data.inputType === 'url' ? job.data.input : null),
      final_url: result.final_url ?? null,
      title: result.title ?? null,
      fetched_at: result.fetched_at ?? null,
      summary: result.summary,
      tags: result.tags,
      provider: result.provider,
      model: result.model,
      fallback: result.fallback,
      input_tokens: result.usage?.inputTokens ?? null,
      output_tokens: result.usage?.outputTokens ?? null,
      total_tokens: result.usage?.totalTokens ?? null,
      stage_timings: result.stage_timings ?? null,
      processing_time_ms: job.processedOn ? finishedAt - job.processedOn : null,
      error: null,
      attempts: job.attemptsMade + 1,
      created_at: new Date(job.timestamp).toISOString(),
      finished_at: new Date(finishedAt).toISOString(),
    },
    archive: cacheEntries
      .filter(({ result: cached }) => !cached.fallback)
      .map(({ hash, result: cached }) => ({ hash, result: cached })),
  };
}

/** The entry of a job that failed for good (BullMQ's `failed` event, finishedOn set). */
export function failedHistoryEntry(job: FinishedJob): HistoryEntry {
  const finishedAt = job.finishedOn ?? Date.now();
  return {
    row: {
      ...ownerFields(job),
      ...NO_RESULT,
      id: job.id ?? '',
      input_hash: job.data.inputHash,
      input_type: job.data.inputType,
      status: 'failed',
      // What its failed attempts spent at the AI provider (tokens are known only as a total there).
      cost_usd: job.data.failedAttemptCharges?.costUsd ?? null,
      total_tokens: job.data.failedAttemptCharges?.totalTokens ?? null,
      stage_timings: null,
      source_url: job.data.inputType === 'url' ? job.data.input : null,
      processing_time_ms: job.processedOn ? finishedAt - job.processedOn : null,
      error: job.failedReason || 'failed',
      attempts: job.attemptsMade,
      created_at: new Date(job.timestamp).toISOString(),
      finished_at: new Date(finishedAt).toISOString(),
    },
    archive: [],
  };
}
