import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ANALYTICS_FACTS, type AnalyticsFacts } from '../analytics/analytics.interceptor';
import type { InputType } from '../core/queue/summarize-job';

/** 200: the summary was already cached. */
export class SubmitHitResponseDto {
  @ApiProperty({ enum: ['completed'] }) readonly status!: 'completed';
  @ApiProperty({ enum: ['hit'] }) readonly cache!: 'hit';
  @ApiProperty() readonly summary!: string;
  @ApiProperty({ type: [String] }) readonly tags!: string[];
  @ApiProperty({ enum: ['text', 'url'] }) readonly input_type!: InputType;
  /** For the analytics interceptor only; a symbol key, so it is never serialized. */
  readonly [ANALYTICS_FACTS]?: AnalyticsFacts;
}

/** 202: a job was queued (`miss`) or one for the same input is already under way (`deduplicated`). */
export class SubmitQueuedResponseDto {
  @ApiProperty() readonly job_id!: string;
  @ApiProperty({ enum: ['pending', 'processing'] }) readonly status!: 'pending' | 'processing';
  @ApiProperty({ enum: ['miss', 'deduplicated'] }) readonly cache!: 'miss' | 'deduplicated';
  @ApiPropertyOptional({ enum: ['text', 'url'] }) readonly input_type?: InputType;
}

export type SubmitResponse = SubmitHitResponseDto | SubmitQueuedResponseDto;
