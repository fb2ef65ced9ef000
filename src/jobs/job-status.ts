import type { JobState } from 'bullmq';
import type { InputType, SummarizeJob } from './summarize-job';

/** The four job states clients see; BullMQ's finer states (waiting, delayed, prioritized, …) are all "pending". */
export type PublicJobStatus = 'pending' | 'processing' | 'completed' | 'failed';

export function toPublicJobStatus(state: JobState | 'unknown'): PublicJobStatus {
  switch (state) {
    case 'active':
      return 'processing';
    case 'completed':
      return 'completed';
    case 'failed':
      return 'failed';
    default:
      return 'pending';
  }
}

/** Where a job is: waiting for a worker, each step of the work, then done (completed or failed). */
export type JobStage = 'queued' | 'fetching' | 'extracting' | 'summarizing' | 'done';

/** The stages in the order a job goes through them (text jobs skip fetching and extracting). */
export const JOB_STAGES: readonly JobStage[] = ['queued', 'fetching', 'extracting', 'summarizing', 'done'];

/** What a worker stores as the job's progress (BullMQ `updateProgress`) while it works. */
export interface JobProgress {
  readonly stage: Exclude<JobStage, 'queued' | 'done'>;
}

/** What a worker stores as the progress of a job it put back to wait, and why (the daily AI budget is spent). */
export interface JobWaitNote {
  readonly stage: 'queued';
  readonly note: string;
}

/** The stage of a job in `state` whose worker last reported `progress`. */
export function stageOf(state: JobState | 'unknown', progress: unknown): JobStage {
  if (state === 'completed' || state === 'failed') return 'done';
  // Only a running job is in a step: a job back in the queue (a retry, or after a stall) waits again.
  if (state !== 'active') return 'queued';
  const stage = (progress as Partial<JobProgress> | null)?.stage;
  return stage !== undefined && JOB_STAGES.includes(stage) ? stage : 'queued';
}

/** A job as clients see it (`GET /api/status/:job_id`); fields that do not apply (yet) are null. */
export interface JobStatus {
  readonly job_id: string;
  readonly status: PublicJobStatus;
  readonly stage: JobStage;
  readonly summary: string | null;
  readonly tags: string[] | null;
  readonly error: string | null;
  readonly input_type: InputType;
  readonly created_at: string;
  readonly finished_at: string | null;
  readonly processing_time_ms: number | null;
  readonly attempts: number;
  readonly provider: string | null;
  readonly model: string | null;
  readonly fallback: boolean | null;
  /** What the summary cost in USD (AI_PRICES); 0 for the built-in summarizer; null when unknown or not made yet. */
  readonly cost_usd: number | null;
  /** The model version the provider reported. */
  readonly model_version: string | null;
  /** Why a pending job waits, when it is not just its turn (e.g. the daily AI budget is spent); else null. */
  readonly note: string | null;
  readonly tokens_used: number | null;
  readonly source_url: string | null;
  readonly final_url: string | null;
  readonly title: string | null;
  readonly fetched_at: string | null;
}

/** The client's view of a BullMQ job record in `state`. */
export function describeJob(job: SummarizeJob & { id: string }, state: JobState | 'unknown'): JobStatus {
  const status = toPublicJobStatus(state);
  const result = status === 'completed' ? job.returnvalue : null;
  // A failed job has no result; what its failed attempts spent is on the job.
  const failedCharges = status === 'failed' ? job.data.failedAttemptCharges : undefined;
  const finishedOn = status === 'completed' || status === 'failed' ? job.finishedOn : undefined;
  return {
    job_id: job.id,
    status,
    stage: stageOf(state, job.progress),
    summary: result?.summary ?? null,
    tags: result?.tags ?? null,
    error: status === 'failed' ? job.failedReason || 'failed' : null,
    input_type: job.data.inputType,
    created_at: new Date(job.timestamp).toISOString(),
    finished_at: finishedOn ? new Date(finishedOn).toISOString() : null,
    processing_time_ms: finishedOn && job.processedOn ? finishedOn - job.processedOn : null,
    attempts: job.attemptsMade,
    provider: result?.provider ?? null,
    model: result?.model ?? null,
    fallback: result ? result.fallback : null,
    cost_usd: result?.cost_usd ?? failedCharges?.costUsd ?? null,
    model_version: result?.model_version ?? null,
    note: status === 'pending' ? noteOf(job.progress) : null,
    tokens_used: result?.usage?.totalTokens ?? failedCharges?.totalTokens ?? null,
    source_url: result?.source_url ?? (job.data.inputType === 'url' ? job.data.input : null),
    final_url: result?.final_url ?? null,
    title: result?.title ?? null,
    fetched_at: result?.fetched_at ?? null,
  };
}

function noteOf(progress: unknown): string | null {
  const note = (progress as Partial<JobWaitNote> | null)?.note;
  return typeof note === 'string' ? note : null;
}
