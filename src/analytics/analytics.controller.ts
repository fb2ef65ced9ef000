import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AdminTokenGuard } from '../access/admin-token.guard';
import { AnalyticsResponseDto } from './analytics-response.dto';
import { AnalyticsService } from './analytics.service';

@ApiTags('analytics')
@Controller('api/analytics')
// An admin route: needs ADMIN_TOKEN once API keys are on (or ADMIN_TOKEN is set).
@UseGuards(AdminTokenGuard)
export class AnalyticsController {
  constructor(private readonly analyticsService: AnalyticsService) {}

  @Get()
  @ApiOkResponse({ type: AnalyticsResponseDto })
  analytics(): Promise<AnalyticsResponseDto> {
    return this.analyticsService.snapshot();
  }
}
