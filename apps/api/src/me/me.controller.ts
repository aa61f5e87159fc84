import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthService, UsersService, type Principal } from '@jewelshot/identity';
import { ApiErrors } from '../common/api-errors.decorator';
import { AuthRateLimit } from '../common/rate-limit.decorator';
import { CurrentPrincipal } from '../common/current-principal.decorator';
import { ChangePasswordDto, UserDto } from '../auth/auth.dto';

@ApiTags('me')
@Controller({ path: 'me', version: '1' })
export class MeController {
  constructor(
    private readonly users: UsersService,
    private readonly auth: AuthService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The signed-in user' })
  @ApiOkResponse({ type: UserDto, description: 'The signed-in user' })
  async me(@CurrentPrincipal() principal: Principal): Promise<UserDto> {
    return UserDto.full(await this.users.getById(principal.userId));
  }

  @Post('password')
  @HttpCode(204)
  @AuthRateLimit()
  @ApiOperation({ summary: 'Change the password; every other session is signed out' })
  @ApiNoContentResponse({ description: 'Password changed' })
  @ApiErrors('VALIDATION_ERROR')
  async changePassword(
    @CurrentPrincipal() principal: Principal,
    @Body() body: ChangePasswordDto,
  ): Promise<void> {
    await this.auth.changePassword(
      principal.userId,
      principal.sessionId,
      body.currentPassword,
      body.newPassword,
    );
  }
}
