import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminAccess } from '../admin/admin.guard';
import { ApiRedisProblems } from '../core/http/openapi';
import { AnalyticsResponseDto } from './analytics-response.dto';
import { AnalyticsService } from './analytics.service';

@ApiTags('analytics')
@Controller('api/analytics')
// Open while API keys are off; with them on, operators' only (the admin token).
@AdminAccess({ onlyWithApiKeys: true })
export class AnalyticsController {
  constructor(private readonly analyticsService: AnalyticsService) {}

  @Get()
  @ApiOperation({
    summary: 'Counters of every API and worker process of the deployment',
    operationId: 'getAnalytics',
  })
  @ApiOkResponse({ type: AnalyticsResponseDto })
  @ApiRedisProblems()
  analytics(): Promise<AnalyticsResponseDto> {
    return this.analyticsService.snapshot();
  }
}
