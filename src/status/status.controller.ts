import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { AccessGrant } from '../access/access-grant';
import { ApiAccessGuard, CallerGrant } from '../access/api-access.guard';
import { JobStatusResponseDto } from './job-status-response.dto';
import { StatusService } from './status.service';

@ApiTags('status')
@Controller('api/status')
@UseGuards(ApiAccessGuard)
export class StatusController {
  constructor(private readonly statusService: StatusService) {}

  @Get(':job_id')
  @ApiOkResponse({ type: JobStatusResponseDto })
  @ApiNotFoundResponse({
    description: 'Unknown job id, the job expired from retention, or it belongs to another cache scope.',
  })
  status(@Param('job_id') jobId: string, @CallerGrant() grant: AccessGrant): Promise<JobStatusResponseDto> {
    return this.statusService.status(jobId, grant.scope);
  }
}
