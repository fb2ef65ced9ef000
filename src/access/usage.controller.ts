import { Controller, Get } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Environment } from '../core/config/environment';
import { ApiProblem, ApiRedisProblems } from '../core/http/openapi';
import type { AccessGrant } from './access-grant';
import { notFound, unauthorized } from './access-problems';
import { ApiAccess, CallerGrant } from './api-access.guard';
import { ApiKeyRepository } from './api-key.repository';
import { Clock, utcDay } from './clock';
import { JobQuotaRepository } from './job-quota.repository';
import { UsageRepository } from './usage.repository';
import { UsageResponseDto } from './usage-response.dto';

/** `GET /api/usage`: the calling API key's use of today (UTC) and its limits. */
@ApiTags('usage')
@Controller('api/usage')
@ApiAccess()
export class UsageController {
  private readonly defaultRpm: number;
  private readonly defaultDailyJobs: number;

  constructor(
    private readonly apiKeys: ApiKeyRepository,
    private readonly usage: UsageRepository,
    private readonly jobQuota: JobQuotaRepository,
    private readonly clock: Clock,
    config: ConfigService<Environment, true>,
  ) {
    this.defaultRpm = config.get('RATE_LIMIT_RPM', { infer: true });
    this.defaultDailyJobs = config.get('DAILY_JOB_LIMIT', { infer: true });
  }

  @Get()
  @ApiOperation({ summary: "The calling API key's use today (UTC) and its limits", operationId: 'getUsage' })
  @ApiOkResponse({ type: UsageResponseDto })
  @ApiProblem(404, 'API keys are off (API_KEYS_REQUIRED=false): there is no key to report on.')
  @ApiRedisProblems()
  async usageOf(@CallerGrant() grant: AccessGrant): Promise<UsageResponseDto> {
    if (grant.client.kind !== 'key')
      throw notFound(
        'GET /api/usage reports an API key’s usage; API keys are off (API_KEYS_REQUIRED=false).',
      );
    const id = grant.client.id;
    const day = utcDay(this.clock.now());
    const [record, counts, jobs] = await Promise.all([
      this.apiKeys.find(id),
      this.usage.read(id, day),
      this.jobQuota.used(id, day),
    ]);
    // Revoked or removed since the guard let the request in.
    if (!record || record.revokedAt) throw unauthorized('This API key has been revoked.');
    const rpm = record.rpm ?? this.defaultRpm;
    const dailyJobs = record.dailyJobs ?? this.defaultDailyJobs;
    return {
      key_id: id,
      name: record.name,
      cache: record.cache,
      day,
      ...counts,
      jobs,
      limits: { requests_per_minute: rpm || null, daily_jobs: dailyJobs || null },
      remaining: {
        requests_this_minute: grant.rate ? grant.rate.remaining : null,
        jobs_today: dailyJobs ? Math.max(0, dailyJobs - jobs) : null,
      },
    };
  }
}
