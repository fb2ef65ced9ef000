import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblem, ApiRedisProblems } from '../core/http/openapi';
import { AnalyticsResponseDto } from './analytics-response.dto';
import { AnalyticsService } from './analytics.service';

@ApiTags('analytics')
@Controller('api/analytics')
export class AnalyticsController {
  constructor(private readonly analyticsService: AnalyticsService) {}

  @Get()
  @ApiOperation({
    summary: 'Counters of every API and worker process of the deployment',
    operationId: 'getAnalytics',
  })
  @ApiOkResponse({ type: AnalyticsResponseDto })
  @ApiProblem(401, 'With API keys on (API_KEYS_REQUIRED=true): the admin token is missing or wrong.')
  @ApiRedisProblems()
  analytics(): Promise<AnalyticsResponseDto> {
    return this.analyticsService.snapshot();
  }
}
