import { ApiProperty } from '@nestjs/swagger';

/** One bucket (hour or day, UTC) of the analytics over time. */
export class AnalyticsBucketDto {
  @ApiProperty({ description: 'Start of the bucket, ISO 8601 (UTC).' }) readonly start!: string;
  @ApiProperty({ description: 'cache_hits + cache_misses + deduplicated' }) readonly requests!: number;
  @ApiProperty() readonly cache_hits!: number;
  @ApiProperty() readonly cache_misses!: number;
  @ApiProperty() readonly deduplicated!: number;
  @ApiProperty({ description: 'Hits served from the summary archive (part of cache_hits).' })
  readonly archive_hits!: number;
  @ApiProperty({ description: 'Jobs that completed in the bucket.' }) readonly jobs_completed!: number;
  @ApiProperty({ description: 'Jobs that failed for good in the bucket.' }) readonly jobs_failed!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'Median processing time of the completed jobs.' })
  readonly p50_processing_time_ms!: number | null;
  @ApiProperty({ type: Number, nullable: true }) readonly p95_processing_time_ms!: number | null;
  @ApiProperty({ description: 'Tokens the completed jobs used.' }) readonly tokens_used!: number;
  @ApiProperty({ description: 'Tokens cache hits and deduplication avoided.' })
  readonly tokens_saved!: number;
}

export class AnalyticsHistoryDto {
  @ApiProperty({ enum: ['hour', 'day'] }) readonly bucket!: 'hour' | 'day';
  @ApiProperty({ description: 'Start of the first bucket, ISO 8601.' }) readonly from!: string;
  @ApiProperty({ description: 'End of the last bucket (exclusive), ISO 8601.' }) readonly to!: string;
  @ApiProperty({ type: [AnalyticsBucketDto], description: 'Every bucket of the range, oldest first.' })
  readonly items!: AnalyticsBucketDto[];
}
