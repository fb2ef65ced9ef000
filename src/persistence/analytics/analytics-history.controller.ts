import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AdminAccess } from '../../admin/admin.guard';
import { AnalyticsHistoryDto } from './analytics-history.dto';
import { parseAnalyticsHistoryQuery } from './analytics-history-query';
import { AnalyticsHistoryService } from './analytics-history.service';

@ApiTags('analytics')
@Controller('api/analytics/history')
// Every client's jobs and counts: open while API keys are off; with them on, operators' only (the admin token).
@AdminAccess({ onlyWithApiKeys: true })
export class AnalyticsHistoryController {
  constructor(private readonly analytics: AnalyticsHistoryService) {}

  @Get()
  @ApiQuery({
    name: 'from',
    required: false,
    description: 'ISO 8601; default: a day (hour) or 30 days (day) ago',
  })
  @ApiQuery({ name: 'to', required: false, description: 'ISO 8601; default: now' })
  @ApiQuery({ name: 'bucket', required: false, enum: ['hour', 'day'] })
  @ApiOkResponse({ type: AnalyticsHistoryDto })
  @ApiBadRequestResponse({ description: 'Unknown or malformed parameter, or a range of too many buckets.' })
  history(@Query() query: Record<string, unknown>): Promise<AnalyticsHistoryDto> {
    return this.analytics.history(parseAnalyticsHistoryQuery(query));
  }
}
