import { Controller, Get, Headers, Inject, Res, VERSION_NEUTRAL } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiServiceUnavailableResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import {
  HealthService,
  metricsAccess,
  PLATFORM_CONFIG,
  type PlatformConfig,
} from '@jewelshot/platform';
import { Public } from '../common/public.decorator';
import { Probe } from '../common/rate-limit.decorator';
import { APP_VERSION } from '../version';

class HealthServicesDto {
  @ApiProperty() database!: boolean;
  @ApiProperty() redis!: boolean;
  @ApiProperty() worker!: boolean;
}

class HealthDetailsDto {
  @ApiProperty({ example: 'Connected' }) database!: string;
  @ApiProperty({ example: 'Connected' }) redis!: string;
  @ApiProperty({ example: 'Active - 1 worker(s)' }) worker!: string;
  @ApiProperty({
    example: 'OK: last ran at 2026-01-01T00:00:00.000Z (12 s ago)',
    description: 'When the reconciler last succeeded',
  })
  reconcile!: string;
  @ApiProperty({
    required: false,
    example: 'Enforcing',
    description:
      "This API process's rate limiter: `Enforcing`, or `Degraded: failing open since ...` while Redis errors or is too slow (requests then go through unlimited)",
  })
  rateLimiter?: string;
  @ApiProperty({
    example:
      'OK: last succeeded at 2026-01-01T00:00:00.000Z; 0 failure(s) counted, 0 since the last success',
    description:
      'How the scheduled backups (BACKUP_CRON) went: the last success and the failures counted',
  })
  backup!: string;
  @ApiProperty({
    required: false,
    example: 'Active - Queue: 5 waiting (oldest 12 s), 2 running',
    description:
      'The AI queue: jobs waiting (retries in backoff included) and the oldest one’s age, jobs running; informational (never changes the status)',
  })
  queue?: string;
}

class QueuePriorityFiguresDto {
  @ApiProperty() waiting!: number;
  @ApiProperty() active!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'Seconds; null: none waits' })
  oldestWaitingSeconds!: number | null;
}

@ApiExtraModels(QueuePriorityFiguresDto)
class QueueFiguresDto {
  @ApiProperty({ example: 'ai-jobs' }) name!: string;
  @ApiProperty({ description: 'Jobs waiting for a worker (retries in backoff included)' })
  waiting!: number;
  @ApiProperty({ description: 'Jobs a worker is running' }) active!: number;
  @ApiProperty({
    type: Number,
    nullable: true,
    description:
      'Seconds the oldest waiting job has waited since it was submitted; null: none waits',
  })
  oldestWaitingSeconds!: number | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: getSchemaPath(QueuePriorityFiguresDto) },
    description: 'The same figures per priority (high, normal, low)',
  })
  byPriority!: Record<string, QueuePriorityFiguresDto>;
}

const OPERATORS_ONLY =
  'For operators only: with METRICS_TOKEN set, to a caller with `Authorization: Bearer <METRICS_TOKEN>` (as /metrics); without it, outside production only. Absent for anyone else: when the rate limiter fails open or a backup fails is not for strangers to watch.';

class HealthReportDto {
  @ApiProperty({
    enum: ['healthy', 'degraded', 'unhealthy'],
    description:
      "degraded: services answer but the reconciler is overdue, or this process's rate limiter is failing open",
  })
  status!: 'healthy' | 'degraded' | 'unhealthy';
  @ApiProperty({ description: 'Epoch milliseconds' }) timestamp!: number;
  @ApiProperty({ example: '0.1.0', required: false, description: OPERATORS_ONLY })
  version?: string;
  @ApiProperty({ type: HealthServicesDto }) services!: HealthServicesDto;
  @ApiProperty({ type: HealthDetailsDto, required: false, description: OPERATORS_ONLY })
  details?: HealthDetailsDto;
  @ApiProperty({
    type: QueueFiguresDto,
    required: false,
    description: 'The AI queue’s figures (absent when they could not be read in time)',
  })
  queue?: QueueFiguresDto;
}

class ProbeDto {
  @ApiProperty({ enum: ['ok', 'unavailable'] }) status!: 'ok' | 'unavailable';
}

/** Unversioned probes for monitors and orchestrators (never rate-limited, not access-logged: `@Probe`). */
@ApiTags('health')
@Public()
@Controller({ path: 'health', version: VERSION_NEUTRAL })
export class HealthController {
  constructor(
    private readonly health: HealthService,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
  ) {}

  @Get()
  @Probe()
  @ApiOperation({
    summary:
      'Database, Redis, worker and reconciler status, and what waits in the queue (200 healthy, 503 otherwise)',
  })
  @ApiOkResponse({ type: HealthReportDto, description: 'Every service is up' })
  @ApiServiceUnavailableResponse({
    type: HealthReportDto,
    description: 'A service is down, or the reconciler is overdue',
  })
  async report(
    @Headers('authorization') authorization: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<HealthReportDto> {
    const report = await this.health.report(APP_VERSION);
    void reply.status(report.status === 'healthy' ? 200 : 503);
    if (metricsAccess(this.config, authorization) === 'allowed') return report;
    // Anyone else: the status, which services answer and the queue's figures.
    const { version: _version, details: _details, ...everyone } = report;
    return everyone;
  }

  @Get('live')
  @Probe()
  @ApiOperation({ summary: 'Liveness: the process is up and serving' })
  @ApiOkResponse({ type: ProbeDto, description: 'Up' })
  live(): ProbeDto {
    return { status: 'ok' };
  }

  @Get('ready')
  @Probe()
  @ApiOperation({ summary: 'Readiness: the database and Redis answer' })
  @ApiOkResponse({ type: ProbeDto, description: 'Up' })
  @ApiServiceUnavailableResponse({ type: ProbeDto, description: 'Not ready' })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<ProbeDto> {
    const { ready } = await this.health.ready();
    void reply.status(ready ? 200 : 503);
    return { status: ready ? 'ok' : 'unavailable' };
  }
}
