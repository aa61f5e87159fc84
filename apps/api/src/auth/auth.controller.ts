import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { AuthService, type Principal } from '@jewelshot/identity';
import { ApiErrors } from '../common/api-errors.decorator';
import { AuthRateLimit } from '../common/auth-rate-limit.decorator';
import { CurrentPrincipal } from '../common/current-principal.decorator';
import { Public } from '../common/public.decorator';
import { AuthResponseDto, LoginDto, RefreshDto, RegisterDto, UserSummaryDto } from './auth.dto';

@ApiTags('auth')
@Controller({ path: 'auth', version: '1' })
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('register')
  @Public()
  @AuthRateLimit()
  @ApiOperation({ summary: 'Create an account and sign in' })
  @ApiCreatedResponse({ type: AuthResponseDto, description: 'Account created and signed in' })
  @ApiErrors('VALIDATION_ERROR', 'CONFLICT', 'SERVICE_UNAVAILABLE')
  async register(@Body() body: RegisterDto): Promise<AuthResponseDto> {
    const { user, tokens } = await this.auth.register(body.email, body.password);
    return {
      user: UserSummaryDto.of(user),
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
    };
  }

  @Post('login')
  @Public()
  @AuthRateLimit()
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign in with email and password' })
  @ApiOkResponse({ type: AuthResponseDto, description: 'Signed in' })
  @ApiErrors('VALIDATION_ERROR', 'UNAUTHORIZED', 'ACCOUNT_BANNED', 'SERVICE_UNAVAILABLE')
  async login(@Body() body: LoginDto): Promise<AuthResponseDto> {
    const { user, tokens } = await this.auth.login(body.email, body.password);
    return {
      user: UserSummaryDto.of(user),
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
    };
  }

  @Post('refresh')
  @Public()
  @AuthRateLimit()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Exchange a refresh token for a new pair',
    description:
      'Refresh tokens rotate: each is single-use. Presenting a used one revokes its whole session.',
  })
  @ApiOkResponse({ type: AuthResponseDto, description: 'Signed in' })
  @ApiErrors('VALIDATION_ERROR', 'UNAUTHORIZED', 'ACCOUNT_BANNED')
  async refresh(@Body() body: RefreshDto): Promise<AuthResponseDto> {
    const { user, tokens } = await this.auth.refresh(body.refreshToken);
    return {
      user: UserSummaryDto.of(user),
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
    };
  }

  @Post('logout')
  @HttpCode(204)
  @ApiOperation({ summary: 'End the current session (its access and refresh tokens stop working)' })
  @ApiNoContentResponse({ description: 'Signed out' })
  async logout(@CurrentPrincipal() principal: Principal): Promise<void> {
    await this.auth.logout(principal.userId, principal.sessionId);
  }
}
