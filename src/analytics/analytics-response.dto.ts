import { ApiProperty } from '@nestjs/swagger';

export class AnalyticsResponseDto {
  @ApiProperty({ description: 'cache_hits + cache_misses + deduplicated' }) readonly total_requests!: number;
  @ApiProperty() readonly cache_hits!: number;
  @ApiProperty({
    description:
      'Hits served from the PostgreSQL summary archive after the Redis entry expired (part of cache_hits).',
  })
  readonly archive_hits!: number;
  @ApiProperty() readonly cache_misses!: number;
  @ApiProperty({ description: 'Submissions answered with the job already under way for the same input.' })
  readonly deduplicated!: number;
  @ApiProperty({ description: 'cache_hits / total_requests, 0 when there were none.' })
  readonly hit_rate!: number;
  @ApiProperty({ description: 'Jobs waiting to be processed (waiting, delayed, prioritized).' })
  readonly queue_size!: number;
  @ApiProperty({ description: 'Jobs being processed now.' }) readonly jobs_active!: number;
  @ApiProperty() readonly jobs_completed!: number;
  @ApiProperty({ description: 'Jobs that failed for good (after their retries).' })
  readonly jobs_failed!: number;
  @ApiProperty({ description: 'jobs_failed / (jobs_completed + jobs_failed), 0 when there were none.' })
  readonly failure_rate!: number;
  @ApiProperty({ description: 'Mean over all completed jobs.' }) readonly avg_processing_time_ms!: number;
  @ApiProperty({ description: 'Over the latest 1,000 completed jobs.' })
  readonly p95_processing_time_ms!: number;
  @ApiProperty({ description: 'Remote AI calls made (repairs and failed attempts included).' })
  readonly ai_calls!: number;
  @ApiProperty({ description: 'Tokens those calls used, as the providers reported them.' })
  readonly tokens_used!: number;
  @ApiProperty({
    description: 'Tokens cache hits and deduplication avoided: the recorded usage of what they served.',
  })
  readonly tokens_saved!: number;
  @ApiProperty({ description: 'Webhook deliveries the receiver accepted (2xx).' })
  readonly webhooks_delivered!: number;
  @ApiProperty({
    description:
      'Webhook deliveries that failed for good (after WEBHOOK_MAX_ATTEMPTS, or at once for a refused address); ' +
      'kept in the webhooks queue for inspection.',
  })
  readonly webhooks_failed!: number;
  @ApiProperty({
    description: 'Summaries made per `{provider}/{model}` (local fallbacks count as local).',
    type: 'object',
    additionalProperties: { type: 'number' },
  })
  readonly summaries_by_model!: Record<string, number>;
}
