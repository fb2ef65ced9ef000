import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AdminAccess } from '../../admin/admin.guard';
import { JobHistoryPageDto } from './job-history-page.dto';
import { MAX_PAGE_SIZE, parseJobHistoryQuery } from './job-history-query';
import { JobHistoryService } from './job-history.service';

@ApiTags('jobs')
@Controller('api/jobs')
// Every client's jobs and counts: open while API keys are off; with them on, operators' only (the admin token).
@AdminAccess({ onlyWithApiKeys: true })
export class JobHistoryController {
  constructor(private readonly history: JobHistoryService) {}

  /** Validated by parseJobHistoryQuery, not a DTO: it must refuse unknown and repeated parameters too. */
  @Get()
  @ApiQuery({ name: 'status', required: false, enum: ['completed', 'failed'] })
  @ApiQuery({ name: 'input_type', required: false, enum: ['text', 'url'] })
  @ApiQuery({ name: 'since', required: false, description: 'ISO 8601; created at or after' })
  @ApiQuery({ name: 'until', required: false, description: 'ISO 8601; created before' })
  @ApiQuery({ name: 'limit', required: false, description: `1–${MAX_PAGE_SIZE}, default 20` })
  @ApiQuery({ name: 'cursor', required: false, description: 'next_cursor of the previous page' })
  @ApiOkResponse({ type: JobHistoryPageDto })
  @ApiBadRequestResponse({
    description: 'Unknown or malformed parameter, or a cursor this service did not issue.',
  })
  list(@Query() query: Record<string, unknown>): Promise<JobHistoryPageDto> {
    return this.history.page(parseJobHistoryQuery(query));
  }
}
