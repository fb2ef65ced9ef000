import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblem } from '../core/http/openapi';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { AiCredentialsHealthIndicator } from './ai-credentials.health';
import { RedisHealthIndicator } from './redis.health';

/** What a healthy /health answers (terminus's report). */
const HEALTH_REPORT_SCHEMA = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['ok'] },
    info: { type: 'object', additionalProperties: true },
    error: { type: 'object', additionalProperties: true },
    details: { type: 'object', additionalProperties: true },
  },
};

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly redis: RedisHealthIndicator,
    private readonly aiCredentials: AiCredentialsHealthIndicator,
  ) {}

  /**
   * 200 when Redis accepts writes, the queue answers and the AI provider accepts our key; 503 (a problem naming each
   * failing check) otherwise.
   */
  @Get()
  @ApiOperation({ summary: 'Readiness for load balancers', operationId: 'getHealth', security: [] })
  @ApiOkResponse({ description: 'Every check is up.', schema: HEALTH_REPORT_SCHEMA })
  @ApiProblem(503, 'A check is down: the problem names it, and info/error/details give every check.')
  @HealthCheck({ swaggerDocumentation: false })
  check() {
    return this.health.check([
      () => this.redis.redisWritable(),
      () => this.redis.queueReachable(),
      () => this.aiCredentials.check(),
    ]);
  }
}
