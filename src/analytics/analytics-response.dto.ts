import { ApiProperty } from '@nestjs/swagger';

export class AiBudgetDto {
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'AI_DAILY_BUDGET_USD; null: no budget.',
  })
  readonly daily_usd!: number | null;
  @ApiProperty({ description: 'Remote AI spend today (UTC), in USD, by every worker.' })
  readonly spent_today_usd!: number;
  @ApiProperty({
    description:
      'True once today’s spend has reached the budget: no new remote call starts until 00:00 UTC (jobs use the ' +
      'built-in summarizer with AI_FALLBACK=local, else wait, with a note in their status).',
  })
  readonly exhausted!: boolean;
}

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
  @ApiProperty({
    description:
      'What remote AI cost, in USD at AI_PRICES (every call, failed attempts and repairs included; to the micro-dollar).',
  })
  readonly cost_usd!: number;
  @ApiProperty({
    description:
      'What hits, joins of a running job, the archive and the content cache avoided paying, in USD: the recorded ' +
      'cost of the summaries they served.',
  })
  readonly cost_saved_usd!: number;
  @ApiProperty({
    type: () => AiBudgetDto,
    description: 'The daily AI budget (AI_DAILY_BUDGET_USD) and today’s spend.',
  })
  readonly ai_budget!: AiBudgetDto;
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
