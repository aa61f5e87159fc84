import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { BatchesService } from '@jewelshot/ai-jobs';
import type { Principal } from '@jewelshot/identity';
import { RowScope } from '@jewelshot/platform';
import { ApiErrors } from '../common/api-errors.decorator';
import { holdsScope } from '../common/key-scopes';
import { submitDeadlineOf } from '../http/request-deadline';
import { CurrentPrincipal } from '../common/current-principal.decorator';
import { RateLimit } from '../common/rate-limit.decorator';
import { PageQueryDto } from '../common/pagination.dto';
import { RequireScopes } from '../common/scopes.decorator';
import { BatchDto, BatchPageDto, CreateBatchDto } from './ai.dto';
import { JobView } from './job-view.service';
import { OWN_ONLY, readAsCaller } from '../common/seller-reach';
import { AdminReads } from '@jewelshot/admin';
import type { AuditActor } from '@jewelshot/audit';
import { Actor } from '../admin/audit-actor.decorator';

@ApiTags('ai')
@Controller({ path: 'batches', version: '1' })
export class BatchesController {
  constructor(
    private readonly batches: BatchesService,
    private readonly view: JobView,
    private readonly scope: RowScope,
    private readonly reads: AdminReads,
  ) {}

  /**
   * The answer of a change to a batch (a replayed create, a cancel): what `jobs:write` may see.
   * Its items' outputs, with their download links, are read data: withheld from an API key
   * without `jobs:read`, which would otherwise download through a write what it may not read.
   */
  private async written(batchId: string, principal: Principal): Promise<BatchDto> {
    const batch = await this.full(batchId, principal);
    if (holdsScope(principal, 'jobs:read')) return batch;
    return { ...batch, items: batch.items.map((item) => ({ ...item, outputs: [] })) };
  }

  /** The batch as the caller may see it; with `actor`, an admin's read of another user's is on the record. */
  private full(batchId: string, principal: Principal, actor?: AuditActor): Promise<BatchDto> {
    return readAsCaller(
      { scope: this.scope, reads: this.reads },
      principal,
      actor,
      'batch',
      async (anyUser) => {
        const { batch, jobs, progress } = await this.batches.get(
          batchId,
          principal.userId,
          anyUser,
        );
        const items = await this.view.jobs(jobs);
        return { view: { ...this.view.batch(batch, progress), items }, ownerId: batch.userId };
      },
    );
  }

  @Post()
  @RequireScopes('jobs:write')
  @RateLimit({ rateLimitPolicy: 'submit', concurrencyPolicy: 'expensive', submitDeadline: true })
  @ApiOperation({
    summary: 'Run one operation over up to 100 of your images',
    description:
      'The batch, one job per image and every hold are created in one transaction: all or nothing. Without credits ' +
      'for all of them: 402 with details { needed, available } and nothing is created. Items run in parallel, at low priority. ' +
      'With an Idempotency-Key (kept 24 h): the same key and body answer with the same batch (as it is now, header ' +
      "`idempotent-replayed: true`; its items' outputs only to a caller with `jobs:read`) and create nothing; the same key with another body is 422 IDEMPOTENCY_KEY_REUSED; " +
      'while the first is still in flight, 409.',
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: '1-255 printable ASCII characters, unique per request',
  })
  @ApiCreatedResponse({ type: BatchDto, description: 'The batch and its queued items' })
  @ApiErrors('VALIDATION_ERROR', 'INSUFFICIENT_CREDITS', 'CONFLICT', 'IDEMPOTENCY_KEY_REUSED')
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateBatchDto,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<BatchDto> {
    const submitted = await this.batches.submit(principal.userId, body, {
      idempotencyKey: key,
      deadline: submitDeadlineOf(reply.request),
    });
    if (!submitted.replayed) {
      // From the rows just made: nothing is read after the COMMIT (see SubmittedBatch).
      const items = await this.view.jobs(submitted.jobs);
      return { ...this.view.batch(submitted.batch, submitted.progress), items };
    }
    void reply.header('idempotent-replayed', 'true');
    return this.written(submitted.batchId, principal);
  }

  @Get()
  @RequireScopes('jobs:read')
  @ApiOperation({ summary: 'Your batches, newest first' })
  @ApiOkResponse({ type: BatchPageDto, description: 'One page' })
  @ApiErrors('VALIDATION_ERROR')
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: PageQueryDto,
  ): Promise<BatchPageDto> {
    const page = await this.scope.run(principal.userId, () =>
      this.batches.list(principal.userId, query.limit, query.cursor),
    );
    return {
      data: page.data.map(({ batch, progress }) => this.view.batch(batch, progress)),
      nextCursor: page.nextCursor,
    };
  }

  @Get(':id')
  @RequireScopes('jobs:read')
  @ApiOperation({ summary: 'A batch with its progress and items' })
  @ApiOkResponse({ type: BatchDto, description: 'The batch' })
  @ApiErrors('RESOURCE_NOT_FOUND')
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Actor() actor: AuditActor,
  ): Promise<BatchDto> {
    return this.full(id, principal, actor);
  }

  @Post(':id/cancel')
  @RequireScopes('jobs:write')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Cancel and refund every item not yet finished (queued or running)',
    description:
      "The answer lists the items' outputs only to a caller with `jobs:read` (an API key without it gets them empty).",
  })
  @ApiOkResponse({ type: BatchDto, description: 'The batch after the request' })
  @ApiErrors('RESOURCE_NOT_FOUND')
  async cancel(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
  ): Promise<BatchDto> {
    await this.batches.cancel(id, principal.userId, OWN_ONLY);
    return this.written(id, principal);
  }
}
