import { Controller, Get, Param } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { JobStatusResponseDto } from './job-status-response.dto';
import { StatusService } from './status.service';

@ApiTags('status')
@Controller('api/status')
export class StatusController {
  constructor(private readonly statusService: StatusService) {}

  @Get(':job_id')
  @ApiOkResponse({ type: JobStatusResponseDto })
  @ApiNotFoundResponse({ description: 'Unknown job id, or the job expired from retention.' })
  status(@Param('job_id') jobId: string): Promise<JobStatusResponseDto> {
    return this.statusService.status(jobId);
  }
}
