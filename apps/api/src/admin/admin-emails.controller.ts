import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { EmailLog, type EmailStatus } from '@jewelshot/email';
import { ApiErrors } from '../common/api-errors.decorator';
import { Roles } from '../common/roles.decorator';
import { EmailListQueryDto, EmailPageDto, EmailRecordDto } from '../email/email.dto';

@ApiTags('admin')
@Roles('admin')
@Controller({ path: 'admin/emails', version: '1' })
export class AdminEmailsController {
  constructor(private readonly log: EmailLog) {}

  @Get()
  @ApiOperation({
    summary: 'List sent and refused messages, newest first (admin); never their bodies',
  })
  @ApiOkResponse({ type: EmailPageDto, description: 'One page of messages' })
  @ApiErrors('VALIDATION_ERROR', 'RESOURCE_NOT_FOUND')
  async list(@Query() query: EmailListQueryDto): Promise<EmailPageDto> {
    const page = await this.log.list(
      {
        userId: query.userId,
        status: query.status as EmailStatus | undefined,
        template: query.template,
      },
      query.limit,
      query.cursor,
    );
    return {
      data: page.data.map((record) => EmailRecordDto.of(record)),
      nextCursor: page.nextCursor,
    };
  }
}
