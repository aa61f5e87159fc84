import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminAbuse, AdminReads } from '@jewelshot/admin';
import type { AuditActor } from '@jewelshot/audit';
import { ApiErrors } from '../common/api-errors.decorator';
import { UuidParam } from '../common/uuid-param';
import { Roles } from '../common/roles.decorator';
import { Actor } from './audit-actor.decorator';
import {
  AbuseFlagDto,
  AbuseFlagPageDto,
  AbuseFlagQueryDto,
  ResolveFlagDto,
} from './admin-abuse.dto';

@ApiTags('admin')
@Roles('admin')
@Controller({ path: 'admin/abuse', version: '1' })
export class AdminAbuseController {
  constructor(
    private readonly abuse: AdminAbuse,
    private readonly reads: AdminReads,
  ) {}

  @Get('flags')
  @ApiOperation({
    summary: 'Abuse flags, newest first, with their score and signals (admin)',
    description: 'A flag opens when a score passes ABUSE_FLAG_THRESHOLD (docs/abuse.md).',
  })
  @ApiOkResponse({ type: AbuseFlagPageDto, description: 'One page of flags' })
  @ApiErrors('VALIDATION_ERROR')
  async list(
    @Query() query: AbuseFlagQueryDto,
    @Actor() actor: AuditActor,
  ): Promise<AbuseFlagPageDto> {
    const page = await this.abuse.list(query.limit, query.status, query.cursor);
    await this.reads.recordSearch(actor, {
      resource: 'abuse-flags',
      filters: { status: query.status },
    });
    return { data: page.data.map((view) => AbuseFlagDto.of(view)), nextCursor: page.nextCursor };
  }

  @Post('flags/:flagId/resolve')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Resolve an open abuse flag as dismissed or banned (admin)',
    description:
      '`dismissed` puts back the tier the user had before the flag; `banned` bans the user with the ban action ' +
      '(sessions ended, queued jobs refunded). Audited, in one transaction. A resolved flag is a 409; ' +
      "a flag on the admin's own account is a 403 (another admin resolves it).",
  })
  @ApiOkResponse({ type: AbuseFlagDto, description: 'The flag after resolution' })
  @ApiErrors('VALIDATION_ERROR', 'FORBIDDEN', 'RESOURCE_NOT_FOUND', 'CONFLICT')
  async resolve(
    @Actor() actor: AuditActor,
    @UuidParam('flagId') flagId: string,
    @Body() body: ResolveFlagDto,
  ): Promise<AbuseFlagDto> {
    return AbuseFlagDto.of(await this.abuse.resolve(actor, flagId, body.resolution, body.note));
  }
}
