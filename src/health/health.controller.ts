import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { AiCredentialsHealthIndicator } from './ai-credentials.health';
import { RedisHealthIndicator } from './redis.health';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly redis: RedisHealthIndicator,
    private readonly aiCredentials: AiCredentialsHealthIndicator,
  ) {}

  /** 200 when Redis and the queue answer and the AI provider accepts our key; 503 with the failing check otherwise. */
  @Get()
  @HealthCheck()
  check() {
    return this.health.check([
      () => this.redis.redisWritable(),
      () => this.redis.queueReachable(),
      () => this.aiCredentials.check(),
    ]);
  }
}
