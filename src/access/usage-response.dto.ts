import { ApiProperty } from '@nestjs/swagger';

class UsageLimitsDto {
  @ApiProperty({ type: Number, nullable: true, description: 'Requests per minute; null = no limit.' })
  readonly requests_per_minute!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'New AI jobs per UTC day; null = no quota.' })
  readonly daily_jobs!: number | null;
}

class UsageRemainingDto {
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Requests left in the sliding minute (this one counted).',
  })
  readonly requests_this_minute!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'New AI jobs left today (UTC).' })
  readonly jobs_today!: number | null;
}

/** An API key's use of the current UTC day, as GET /api/usage reports it. */
export class UsageResponseDto {
  @ApiProperty() readonly key_id!: string;
  @ApiProperty() readonly name!: string;
  @ApiProperty({ enum: ['shared', 'private'] }) readonly cache!: 'shared' | 'private';
  @ApiProperty({ description: 'The UTC day counted, YYYY-MM-DD.' }) readonly day!: string;
  @ApiProperty({ description: 'Requests made with the key (refused ones included), up to 100 ms late.' })
  readonly requests!: number;
  @ApiProperty({ description: 'Requests refused with 429 for the request rate.' })
  readonly rate_limited!: number;
  @ApiProperty() readonly hits!: number;
  @ApiProperty() readonly misses!: number;
  @ApiProperty({ description: 'Submissions that joined a job already under way.' })
  readonly deduplicated!: number;
  @ApiProperty({ description: 'New AI jobs made today (exact; what the daily quota counts).' })
  readonly jobs!: number;
  @ApiProperty({ type: UsageLimitsDto }) readonly limits!: UsageLimitsDto;
  @ApiProperty({ type: UsageRemainingDto }) readonly remaining!: UsageRemainingDto;
}
