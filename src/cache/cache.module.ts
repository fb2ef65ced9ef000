import { Module } from '@nestjs/common';
import { SummaryCacheRepository } from './summary-cache.repository';

@Module({
  providers: [SummaryCacheRepository],
  exports: [SummaryCacheRepository],
})
export class CacheModule {}
