import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AiModule } from '../ai/ai.module';
import { AiCredentialsHealthIndicator } from './ai-credentials.health';
import { HealthController } from './health.controller';
import { RedisHealthIndicator } from './redis.health';

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), AiModule.forApi()],
  controllers: [HealthController],
  providers: [RedisHealthIndicator, AiCredentialsHealthIndicator],
})
export class HealthModule {}
