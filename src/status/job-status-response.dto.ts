import { ApiProperty } from '@nestjs/swagger';
import type { InputType } from '../jobs/summarize-job';
import type { JobStage, JobStatus, PublicJobStatus } from '../jobs/job-status';

/** A job as clients see it; fields that do not apply (yet) are null. */
export class JobStatusResponseDto implements JobStatus {
  @ApiProperty() readonly job_id!: string;
  @ApiProperty({ enum: ['pending', 'processing', 'completed', 'failed'] }) readonly status!: PublicJobStatus;
  @ApiProperty({
    enum: ['queued', 'fetching', 'extracting', 'summarizing', 'done'],
    description:
      'Where the job is: waiting for a worker, each step of the work (text skips fetching and extracting), then done.',
  })
  readonly stage!: JobStage;
  @ApiProperty({ type: String, nullable: true }) readonly summary!: string | null;
  @ApiProperty({ type: [String], nullable: true }) readonly tags!: string[] | null;
  @ApiProperty({ type: String, nullable: true, description: 'Why the job failed.' }) readonly error!:
    string | null;
  @ApiProperty({ enum: ['text', 'url'] }) readonly input_type!: InputType;
  @ApiProperty({ type: String, description: 'ISO 8601' }) readonly created_at!: string;
  @ApiProperty({ type: String, nullable: true, description: 'ISO 8601' }) readonly finished_at!:
    string | null;
  @ApiProperty({ type: Number, nullable: true, description: 'From the start of processing to the end.' })
  readonly processing_time_ms!: number | null;
  @ApiProperty({ type: Number, description: 'Attempts made so far (retries included).' })
  readonly attempts!: number;
  @ApiProperty({ type: String, nullable: true, description: 'Provider that made the summary.' })
  readonly provider!: string | null;
  @ApiProperty({ type: String, nullable: true }) readonly model!: string | null;
  @ApiProperty({
    type: Boolean,
    nullable: true,
    description: 'True when the remote provider failed for good and the local summarizer stood in.',
  })
  readonly fallback!: boolean | null;
  @ApiProperty({
    type: Number,
    nullable: true,
    description:
      'What the summary cost in USD at AI_PRICES (a batched call: this input’s share); 0 for the built-in ' +
      'summarizer; null when unknown (a model without a price) or not made yet.',
  })
  readonly cost_usd!: number | null;
  @ApiProperty({ type: String, nullable: true, description: 'The model version the provider reported.' })
  readonly model_version!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Why a pending job waits, when not just for its turn (e.g. the daily AI budget is spent).',
  })
  readonly note!: string | null;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Tokens the summary cost (null for the local summarizer).',
  })
  readonly tokens_used!: number | null;
  @ApiProperty({ type: String, nullable: true, description: 'URL inputs: the URL as submitted (canonical).' })
  readonly source_url!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'URL inputs: the URL after redirects.' })
  readonly final_url!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'URL inputs: the page title.' })
  readonly title!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'URL inputs: when the page was fetched (ISO 8601).',
  })
  readonly fetched_at!: string | null;
}
