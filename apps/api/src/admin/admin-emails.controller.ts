import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminReads } from '@jewelshot/admin';
import type { AuditActor } from '@jewelshot/audit';
import { EmailLog, type EmailStatus } from '@jewelshot/email';
import { ApiErrors } from '../common/api-errors.decorator';
import { Roles } from '../common/roles.decorator';
import { EmailListQueryDto, EmailPageDto, EmailRecordDto } from '../email/email.dto';
import { Actor } from './audit-actor.decorator';

@ApiTags('admin')
@Roles('admin')
@Controller({ path: 'admin/emails', version: '1' })
export class AdminEmailsController {
  constructor(
    private readonly log: EmailLog,
    private readonly reads: AdminReads,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'List sent and refused messages, newest first (admin); never their bodies',
  })
  @ApiOkResponse({ type: EmailPageDto, description: 'One page of messages' })
  @ApiErrors('VALIDATION_ERROR')
  async list(@Query() query: EmailListQueryDto, @Actor() actor: AuditActor): Promise<EmailPageDto> {
    const filters = {
      userId: query.userId,
      status: query.status as EmailStatus | undefined,
      template: query.template,
    };
    const page = await this.log.list(filters, query.limit, query.cursor);
    await this.reads.recordSearch(actor, { resource: 'emails', filters });
    return {
      data: page.data.map((record) => EmailRecordDto.of(record)),
      nextCursor: page.nextCursor,
    };
  }
}
