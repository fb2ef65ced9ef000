import type { Job, Queue } from 'bullmq';
import type { JobStatus } from '../jobs/job-status';
import type { WEBHOOK_DELIVERY_JOB } from '../jobs/queue.constants';
import type { InputType } from '../jobs/summarize-job';

/** What a delivery announces: a job's (or a cache hit's) end. */
export type WebhookEventType = 'job.completed' | 'job.failed';

/**
 * `data` of the delivery for a cache hit: no job was made, so no job id and no job fields; the shape is the one
 * `wait` answers with (`job_id`, `status`, `cache`, `summary`, `tags`, `input_type`, `error`), plus where the hit
 * came from.
 */
export interface CacheHitStatus {
  readonly job_id: null;
  readonly status: 'completed';
  readonly cache: 'hit';
  /** The Redis cache, or the PostgreSQL archive after the cache entry expired. */
  readonly source: 'cache' | 'archive';
  readonly summary: string;
  readonly tags: string[];
  readonly error: null;
  readonly input_type: InputType;
}

/** The JSON body of a delivery (Standard Webhooks: `type`, `timestamp`, `data`). */
export interface WebhookEvent {
  readonly type: WebhookEventType;
  /** When the event happened (ISO 8601): the job's end, or the hit's answer; the same on every attempt. */
  readonly timestamp: string;
  /** The job's full status, exactly as `GET /api/status/:job_id` answers it; for a hit, {@link CacheHitStatus}. */
  readonly data: JobStatus | CacheHitStatus;
}

/** Payload of a delivery job (the webhooks queue); the job's id is the delivery's `webhook-id`. */
export interface WebhookDeliveryData {
  /** Where to POST (validated at submit, see callback-url.ts). */
  readonly url: string;
  /** The summarize job whose end is delivered; null for a cache hit. */
  readonly jobId: string | null;
  /**
   * The body, fixed once: at registration for a hit, at the first attempt after the job ended otherwise, so every
   * retry sends the same event even if the job record has expired meanwhile.
   */
  readonly event?: WebhookEvent;
}

/** What a delivered job keeps (BullMQ `returnvalue`), for inspection. */
export interface WebhookDeliveryResult {
  /** The receiver's HTTP status. */
  readonly status: number;
}

export type WebhookDeliveryJob = Job<WebhookDeliveryData, WebhookDeliveryResult, typeof WEBHOOK_DELIVERY_JOB>;
export type WebhooksQueue = Queue<WebhookDeliveryData, WebhookDeliveryResult, typeof WEBHOOK_DELIVERY_JOB>;

/** The event of a job that has ended (completed, or failed for good). */
export function jobEndEvent(status: JobStatus): WebhookEvent {
  return {
    type: status.status === 'failed' ? 'job.failed' : 'job.completed',
    timestamp: status.finished_at ?? new Date().toISOString(),
    data: status,
  };
}

/** The event of a submission answered from the cache. */
export function cacheHitEvent(
  hit: Pick<CacheHitStatus, 'source' | 'summary' | 'tags' | 'input_type'>,
  at: Date,
): WebhookEvent {
  return {
    type: 'job.completed',
    timestamp: at.toISOString(),
    data: {
      job_id: null,
      status: 'completed',
      cache: 'hit',
      source: hit.source,
      summary: hit.summary,
      tags: hit.tags,
      error: null,
      input_type: hit.input_type,
    },
  };
}
