import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminJobs, AdminReads } from '@jewelshot/admin';
import type { AiJob } from '@jewelshot/ai-jobs';
import type { AuditActor } from '@jewelshot/audit';
import { ApiErrors } from '../common/api-errors.decorator';
import { UuidParam } from '../common/uuid-param';
import { Roles } from '../common/roles.decorator';
import { Actor } from './audit-actor.decorator';
import { AdminJobView } from './admin-job-view';
import {
  AdminJobDto,
  AdminJobPageDto,
  JobSearchQueryDto,
  ReasonDto,
  RetryJobDto,
} from './admin.dto';

const JobId = () => UuidParam('jobId');

@ApiTags('admin')
@Roles('admin')
@Controller({ path: 'admin/jobs', version: '1' })
export class AdminJobsController {
  constructor(
    private readonly jobs: AdminJobs,
    private readonly view: AdminJobView,
    private readonly reads: AdminReads,
  ) {}

  private one(job: AiJob): Promise<AdminJobDto> {
    return this.view.one(job);
  }

  @Get()
  @ApiOperation({
    summary: "Every user's jobs, newest first, by status, user, operation and time (admin)",
  })
  @ApiOkResponse({ type: AdminJobPageDto })
  @ApiErrors('VALIDATION_ERROR')
  async list(
    @Query() query: JobSearchQueryDto,
    @Actor() actor: AuditActor,
  ): Promise<AdminJobPageDto> {
    const filters = {
      status: query.status,
      userId: query.userId,
      operation: query.operation,
      from: query.from,
      to: query.to,
    };
    const page = await this.jobs.search(filters, query.limit, query.cursor);
    await this.reads.recordSearch(actor, { resource: 'jobs', filters });
    return { data: await this.view.list(page.data), nextCursor: page.nextCursor };
  }

  @Get(':jobId')
  @ApiOperation({ summary: 'A job with its attempts, provider and raw error (admin)' })
  @ApiOkResponse({ type: AdminJobDto })
  @ApiErrors('VALIDATION_ERROR', 'RESOURCE_NOT_FOUND')
  async detail(@JobId() jobId: string, @Actor() actor: AuditActor): Promise<AdminJobDto> {
    const job = await this.jobs.detail(jobId);
    await this.reads.record(actor, { resource: 'job', id: job.id, ownerId: job.userId });
    return this.one(job);
  }

  @Post(':jobId/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: "Cancel any user's job and refund its hold (admin)" })
  @ApiOkResponse({ type: AdminJobDto })
  @ApiErrors('VALIDATION_ERROR', 'RESOURCE_NOT_FOUND', 'CONFLICT')
  async cancel(
    @Actor() actor: AuditActor,
    @JobId() jobId: string,
    @Body() body: ReasonDto,
  ): Promise<AdminJobDto> {
    return this.one(await this.jobs.cancel(actor, jobId, body.reason));
  }

  @Post(':jobId/retry')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Run a failed job again as a new job (admin)',
    description:
      "`payer: 'user'` holds today's price from the user; `payer: 'free'` first grants the user that price, " +
      'so it costs them nothing, and takes the grant back if the new job does not succeed. The choice is in the ' +
      'audit event. A failed job is retried once: asking again answers 409 naming the first retry. ' +
      "A banned user's job is not retried (409). An admin's own job is not retried free of charge (403).",
  })
  @ApiCreatedResponse({ type: AdminJobDto, description: 'The new job' })
  @ApiErrors(
    'VALIDATION_ERROR',
    'FORBIDDEN',
    'INSUFFICIENT_CREDITS',
    'RESOURCE_NOT_FOUND',
    'CONFLICT',
  )
  async retry(
    @Actor() actor: AuditActor,
    @JobId() jobId: string,
    @Body() body: RetryJobDto,
  ): Promise<AdminJobDto> {
    return this.one(await this.jobs.retry(actor, jobId, body.payer, body.reason));
  }
}
