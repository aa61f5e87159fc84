import { Controller, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { EmailPreferencesService } from '@jewelshot/email';
import { ApiErrors } from '../common/api-errors.decorator';
import { Public } from '../common/public.decorator';
import { UnsubscribedDto, UnsubscribeQueryDto } from './email.dto';

@ApiTags('email')
@Controller({ path: 'email', version: '1' })
export class EmailController {
  constructor(private readonly preferences: EmailPreferencesService) {}

  @Post('unsubscribe')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: 'One-click unsubscribe (RFC 8058): turns off the type of mail the signed link names',
    description:
      "The target of every non-security message's List-Unsubscribe header; needs no login (the signed token is the authorisation) and never expires. Mail clients POST `List-Unsubscribe=One-Click` as a form; the body is not needed.",
  })
  @ApiOkResponse({ type: UnsubscribedDto, description: 'The type is turned off' })
  @ApiErrors('VALIDATION_ERROR', 'INVALID_TOKEN')
  async unsubscribe(@Query() query: UnsubscribeQueryDto): Promise<UnsubscribedDto> {
    return this.preferences.unsubscribe(query.token);
  }
}
