import { ApiProperty } from '@nestjs/swagger';
import { JobStatusResponseDto } from '../../status/job-status-response.dto';

/** One page of `GET /api/jobs`, newest first. */
export class JobHistoryPageDto {
  @ApiProperty({
    type: [JobStatusResponseDto],
    description: 'Finished jobs, as GET /api/status/:job_id shows them.',
  })
  readonly items!: JobStatusResponseDto[];
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` (with the same filters) for the next page; null on the last page.',
  })
  readonly next_cursor!: string | null;
}
