import { Controller, Get, Res, VERSION_NEUTRAL } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { HealthService } from '@jewelshot/platform';
import { Public } from '../common/public.decorator';
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
}

class HealthReportDto {
  @ApiProperty({
    enum: ['healthy', 'degraded', 'unhealthy'],
    description:
      "degraded: services answer but the reconciler is overdue, or this process's rate limiter is failing open",
  })
  status!: 'healthy' | 'degraded' | 'unhealthy';
  @ApiProperty({ description: 'Epoch milliseconds' }) timestamp!: number;
  @ApiProperty({ example: '0.1.0' }) version!: string;
  @ApiProperty({ type: HealthServicesDto }) services!: HealthServicesDto;
  @ApiProperty({ type: HealthDetailsDto }) details!: HealthDetailsDto;
}

class ProbeDto {
  @ApiProperty({ enum: ['ok', 'unavailable'] }) status!: 'ok' | 'unavailable';
}

/** Unversioned probes for monitors and orchestrators (never rate-limited: see rate-limit.hook.ts). */
@ApiTags('health')
@Public()
@Controller({ path: 'health', version: VERSION_NEUTRAL })
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get()
  @ApiOperation({
    summary: 'Database, Redis, worker and reconciler status (200 healthy, 503 otherwise)',
  })
  @ApiOkResponse({ type: HealthReportDto, description: 'Every service is up' })
  @ApiServiceUnavailableResponse({
    type: HealthReportDto,
    description: 'A service is down, or the reconciler is overdue',
  })
  async report(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthReportDto> {
    const report = await this.health.report(APP_VERSION);
    void reply.status(report.status === 'healthy' ? 200 : 503);
    return report;
  }

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process is up and serving' })
  @ApiOkResponse({ type: ProbeDto, description: 'Up' })
  live(): ProbeDto {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: the database and Redis answer' })
  @ApiOkResponse({ type: ProbeDto, description: 'Up' })
  @ApiServiceUnavailableResponse({ type: ProbeDto, description: 'Not ready' })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<ProbeDto> {
    const { ready } = await this.health.ready();
    void reply.status(ready ? 200 : 503);
    return { status: ready ? 'ok' : 'unavailable' };
  }
}
