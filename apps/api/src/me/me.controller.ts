import { Body, Controller, Get, HttpCode, Post, Put } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { EmailPreferencesService } from '@jewelshot/email';
import {
  AccountMail,
  AuthService,
  sessionIdOf,
  UsersService,
  type Principal,
} from '@jewelshot/identity';
import { ApiErrors } from '../common/api-errors.decorator';
import { AuthRateLimit } from '../common/rate-limit.decorator';
import { CurrentPrincipal } from '../common/current-principal.decorator';
import { ChangePasswordDto, UserDto } from '../auth/auth.dto';
import { EmailPreferencesDto, UpdateEmailPreferencesDto } from '../email/email.dto';

@ApiTags('me')
@Controller({ path: 'me', version: '1' })
export class MeController {
  constructor(
    private readonly users: UsersService,
    private readonly auth: AuthService,
    private readonly mail: AccountMail,
    private readonly preferences: EmailPreferencesService,
  ) {}

  @Post('verify-email/resend')
  @HttpCode(202)
  @AuthRateLimit()
  @ApiOperation({
    summary: 'Mail another verify link (nothing if the address is verified; capped per hour)',
  })
  @ApiAcceptedResponse({ description: 'Accepted' })
  async resendVerification(@CurrentPrincipal() principal: Principal): Promise<void> {
    await this.mail.resendVerification(principal.userId);
  }

  @Get('email-preferences')
  @ApiOperation({ summary: 'Which types of mail the user receives (security mail always)' })
  @ApiOkResponse({ type: EmailPreferencesDto, description: 'One switch per type' })
  async emailPreferences(@CurrentPrincipal() principal: Principal): Promise<EmailPreferencesDto> {
    return this.preferences.get(principal.userId);
  }

  @Put('email-preferences')
  @ApiOperation({ summary: 'Turn types of mail on or off (those not given stay as they are)' })
  @ApiOkResponse({ type: EmailPreferencesDto, description: 'The switches now' })
  @ApiErrors('VALIDATION_ERROR')
  async updateEmailPreferences(
    @CurrentPrincipal() principal: Principal,
    @Body() body: UpdateEmailPreferencesDto,
  ): Promise<EmailPreferencesDto> {
    return this.preferences.update(principal.userId, body);
  }

  @Get()
  @ApiOperation({ summary: 'The signed-in user' })
  @ApiOkResponse({ type: UserDto, description: 'The signed-in user' })
  async me(@CurrentPrincipal() principal: Principal): Promise<UserDto> {
    return UserDto.full(await this.users.getProfile(principal.userId));
  }

  @Post('password')
  @HttpCode(204)
  @AuthRateLimit()
  @ApiOperation({
    summary: 'Change the password; every other session is signed out',
    description:
      "A wrong current password counts towards the email's login lock, like a failed login (429 once locked).",
  })
  @ApiNoContentResponse({ description: 'Password changed' })
  @ApiErrors('VALIDATION_ERROR')
  async changePassword(
    @CurrentPrincipal() principal: Principal,
    @Body() body: ChangePasswordDto,
  ): Promise<void> {
    await this.auth.changePassword(
      principal.userId,
      sessionIdOf(principal),
      body.currentPassword,
      body.newPassword,
    );
  }
}
