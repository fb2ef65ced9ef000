import { Body, Controller, HttpCode, Post, Req, Res, UseInterceptors } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiOkResponse,
  ApiPayloadTooLargeResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AnalyticsInterceptor } from '../analytics/analytics.interceptor';
import { SubmitRequestDto } from './submit-request.dto';
import { SubmitHitResponseDto, SubmitQueuedResponseDto, type SubmitResponse } from './submit-response.dto';
import { SubmitService } from './submit.service';

@ApiTags('submit')
@Controller('api/submit')
export class SubmitController {
  constructor(private readonly submitService: SubmitService) {}

  @Post()
  @HttpCode(200)
  @UseInterceptors(AnalyticsInterceptor)
  @ApiOkResponse({ type: SubmitHitResponseDto, description: 'Cache hit: the summary, at once.' })
  @ApiAcceptedResponse({
    type: SubmitQueuedResponseDto,
    description: 'Queued (miss) or already queued (deduplicated).',
  })
  @ApiBadRequestResponse({
    description: 'Missing, empty or non-string input, unknown fields, malformed JSON, bad URL.',
  })
  @ApiPayloadTooLargeResponse({ description: 'Body larger than MAX_INPUT_BYTES.' })
  @ApiServiceUnavailableResponse({ description: 'Redis is unreachable.' })
  async submit(
    @Body() body: SubmitRequestDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SubmitResponse> {
    const response = await this.submitService.submit(body.input, request.id);
    if (response.cache !== 'hit') void reply.status(202);
    return response;
  }
}
