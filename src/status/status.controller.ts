import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblem, ApiRedisProblems } from '../core/http/openapi';
import { JobStatusResponseDto } from './job-status-response.dto';
import { StatusService } from './status.service';

@ApiTags('status')
@Controller('api/status')
export class StatusController {
  constructor(private readonly statusService: StatusService) {}

  @Get(':job_id')
  @ApiOperation({ summary: "A job's state, and its summary once completed", operationId: 'getJobStatus' })
  @ApiOkResponse({ type: JobStatusResponseDto })
  @ApiProblem(404, 'Unknown job id (not one of ours), or the job expired from retention.')
  @ApiRedisProblems()
  status(@Param('job_id') jobId: string): Promise<JobStatusResponseDto> {
    return this.statusService.status(jobId);
  }
}
