import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AccessGrant } from '../access/access-grant';
import { ApiAccess, CallerGrant } from '../access/api-access.guard';
import { ApiProblem, ApiRedisProblems } from '../core/http/openapi';
import { JobStatusResponseDto } from './job-status-response.dto';
import { StatusService } from './status.service';

@ApiTags('status')
@Controller('api/status')
@ApiAccess()
export class StatusController {
  constructor(private readonly statusService: StatusService) {}

  @Get(':job_id')
  @ApiOperation({ summary: "A job's state, and its summary once completed", operationId: 'getJobStatus' })
  @ApiOkResponse({ type: JobStatusResponseDto })
  @ApiProblem(
    404,
    'Unknown job id (not one of ours), the job expired from retention, or it is of another cache scope.',
  )
  @ApiRedisProblems()
  status(@Param('job_id') jobId: string, @CallerGrant() grant: AccessGrant): Promise<JobStatusResponseDto> {
    return this.statusService.status(jobId, grant.scope);
  }
}
