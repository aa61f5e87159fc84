import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminQueues } from '@jewelshot/admin';
import type { AuditActor } from '@jewelshot/audit';
import { ApiErrors } from '../common/api-errors.decorator';
import { Roles } from '../common/roles.decorator';
import { Actor } from './audit-actor.decorator';
import { QueueStatsDto, ReasonDto } from './admin.dto';

@ApiTags('admin')
@Roles('admin')
@Controller({ path: 'admin/queues', version: '1' })
export class AdminQueuesController {
  constructor(private readonly queues: AdminQueues) {}

  @Get()
  @ApiOperation({
    summary: 'The AI queue: jobs per state and priority, oldest waiting age, workers alive (admin)',
  })
  @ApiOkResponse({ type: QueueStatsDto })
  stats(): Promise<QueueStatsDto> {
    return this.queues.stats();
  }

  @Post('pause')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Pause processing (admin)',
    description:
      'Workers take no new job; jobs submitted meanwhile wait. Nothing is lost or charged.',
  })
  @ApiOkResponse({ type: QueueStatsDto })
  @ApiErrors('VALIDATION_ERROR')
  async pause(@Actor() actor: AuditActor, @Body() body: ReasonDto): Promise<QueueStatsDto> {
    await this.queues.pause(actor, body.reason);
    return this.queues.stats();
  }

  @Post('resume')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resume processing (admin)' })
  @ApiOkResponse({ type: QueueStatsDto })
  @ApiErrors('VALIDATION_ERROR')
  async resume(@Actor() actor: AuditActor, @Body() body: ReasonDto): Promise<QueueStatsDto> {
    await this.queues.resume(actor, body.reason);
    return this.queues.stats();
  }

  @Post('drain-failed')
  @HttpCode(200)
  @ApiOperation({
    summary: "Delete the queue's failed jobs (admin)",
    description:
      "Their rows are already failed and refunded; this only empties the queue's failed list.",
  })
  @ApiOkResponse({ type: QueueStatsDto })
  @ApiErrors('VALIDATION_ERROR')
  async drainFailed(@Actor() actor: AuditActor, @Body() body: ReasonDto): Promise<QueueStatsDto> {
    await this.queues.drainFailed(actor, body.reason);
    return this.queues.stats();
  }
}
