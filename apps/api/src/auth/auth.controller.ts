import { Body, Controller, HttpCode, Inject, Logger, Post, Req, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  AccountMail,
  AuthService,
  sessionIdOf,
  type AuthResult,
  type Principal,
} from '@jewelshot/identity';
import { loggableError, ValidationError } from '@jewelshot/platform';
import { API_CONFIG, type ApiConfig } from '../api.config';
import { ApiErrors } from '../common/api-errors.decorator';
import { clientInfoOf, DeviceIdHeader } from '../http/client-info';
import { AuthRateLimit } from '../common/rate-limit.decorator';
import { CurrentPrincipal } from '../common/current-principal.decorator';
import { Public } from '../common/public.decorator';
import {
  AuthResponseDto,
  LoginDto,
  PasswordResetAcceptedDto,
  PasswordResetConfirmDto,
  PasswordResetRequestDto,
  RefreshDto,
  RegisterDto,
  UserSummaryDto,
  VerifyEmailDto,
} from './auth.dto';
import {
  assertNotCrossSite,
  assertOwnOrigin,
  clearRefreshCookie,
  refreshCookieOf,
  setRefreshCookie,
  type RefreshTokenDelivery,
} from './refresh-cookie';

@ApiTags('auth')
@Controller({ path: 'auth', version: '1' })
export class AuthController {
  private readonly logger = new Logger(AuthController.name);

  constructor(
    private readonly auth: AuthService,
    private readonly mail: AccountMail,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  /** The response of a sign-in: the refresh token in the body, or in the httpOnly cookie. */
  private signedIn(
    { user, tokens }: Pick<AuthResult, 'user' | 'tokens'>,
    delivery: RefreshTokenDelivery,
    reply: FastifyReply,
  ): AuthResponseDto {
    const body: AuthResponseDto = {
      user: UserSummaryDto.of(user),
      accessToken: tokens.accessToken,
    };
    if (delivery === 'cookie') setRefreshCookie(reply, this.config, tokens.refreshToken);
    else body.refreshToken = tokens.refreshToken;
    return body;
  }

  /**
   * A session cookie is set only for our own pages (or none: a server): a foreign page signing
   * its visitor in, to its own account, is login CSRF. Checked before any work is done.
   */
  private assertCookieFromOwnPage(
    delivery: RefreshTokenDelivery | undefined,
    request: FastifyRequest,
  ): void {
    if (delivery === 'cookie') assertOwnOrigin(request, this.config);
  }

  @Post('register')
  @Public()
  @AuthRateLimit()
  @ApiOperation({ summary: 'Create an account and sign in' })
  @ApiCreatedResponse({ type: AuthResponseDto, description: 'Account created and signed in' })
  @ApiErrors('VALIDATION_ERROR', 'FORBIDDEN', 'CONFLICT', 'SERVICE_UNAVAILABLE')
  @DeviceIdHeader()
  async register(
    @Body() body: RegisterDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AuthResponseDto> {
    this.assertCookieFromOwnPage(body.refreshTokenDelivery, request);
    const result = await this.auth.register(body.email, body.password, {
      language: body.language,
      client: clientInfoOf(request),
    });
    return this.signedIn(result, body.refreshTokenDelivery ?? 'body', reply);
  }

  @Post('password-reset')
  @Public()
  @AuthRateLimit()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Mail a password reset link',
    description:
      'Always 202 with the same body, whether or not an account has the address (no account enumeration). The link holds a single-use token valid for 30 minutes; reset mail is capped per address.',
  })
  @ApiAcceptedResponse({ type: PasswordResetAcceptedDto, description: 'Accepted' })
  @ApiErrors('VALIDATION_ERROR')
  async requestPasswordReset(
    @Body() body: PasswordResetRequestDto,
  ): Promise<PasswordResetAcceptedDto> {
    // Not awaited: a known and an unknown address answer in the same time (no enumeration by
    // timing); the work (lookup, token, mail) goes on after the answer, and a failure is logged.
    void this.mail
      .requestPasswordReset(body.email)
      .catch((error: unknown) =>
        this.logger.error({ err: loggableError(error) }, 'password reset request failed'),
      );
    return { message: 'If an account has this address, a reset link is on its way.' };
  }

  @Post('password-reset/confirm')
  @Public()
  @AuthRateLimit()
  @HttpCode(204)
  @ApiOperation({
    summary: 'Set a new password with the token of a reset link; every session is signed out',
  })
  @ApiNoContentResponse({ description: 'Password set' })
  @ApiErrors('VALIDATION_ERROR', 'INVALID_TOKEN', 'SERVICE_UNAVAILABLE')
  async confirmPasswordReset(@Body() body: PasswordResetConfirmDto): Promise<void> {
    await this.mail.confirmPasswordReset(body.token, body.password);
  }

  @Post('verify-email')
  @Public()
  @AuthRateLimit()
  @HttpCode(204)
  @ApiOperation({ summary: 'Verify the address with the token of a verify link' })
  @ApiNoContentResponse({ description: 'Address verified' })
  @ApiErrors('VALIDATION_ERROR', 'INVALID_TOKEN')
  async verifyEmail(@Body() body: VerifyEmailDto): Promise<void> {
    await this.mail.verifyEmail(body.token);
  }

  @Post('login')
  @Public()
  @AuthRateLimit()
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign in with email and password' })
  @ApiOkResponse({ type: AuthResponseDto, description: 'Signed in' })
  @ApiErrors(
    'VALIDATION_ERROR',
    'UNAUTHORIZED',
    'FORBIDDEN',
    'ACCOUNT_BANNED',
    'SERVICE_UNAVAILABLE',
  )
  @DeviceIdHeader()
  async login(
    @Body() body: LoginDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AuthResponseDto> {
    this.assertCookieFromOwnPage(body.refreshTokenDelivery, request);
    const result = await this.auth.login(body.email, body.password, clientInfoOf(request));
    return this.signedIn(result, body.refreshTokenDelivery ?? 'body', reply);
  }

  @Post('refresh')
  @Public()
  // The default limit, not `auth`'s 20 a minute: a refresh token is 256 bits, nothing to guess,
  // and a browser restoring many tabs (or many people behind one address) refreshes each.
  @HttpCode(200)
  @ApiOperation({
    summary: 'Exchange a refresh token for a new pair',
    description:
      'Refresh tokens rotate: each is single-use. Presenting a used one revokes its whole session.',
  })
  @ApiOkResponse({ type: AuthResponseDto, description: 'Signed in' })
  @ApiErrors('VALIDATION_ERROR', 'UNAUTHORIZED', 'FORBIDDEN', 'ACCOUNT_BANNED')
  async refresh(
    @Body() body: RefreshDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AuthResponseDto> {
    // A null token is an absent one, as @IsOptional() lets it through (it was a 500).
    if (typeof body.refreshToken === 'string') {
      return this.signedIn(await this.auth.refresh(body.refreshToken), 'body', reply);
    }
    const cookie = refreshCookieOf(request);
    if (cookie === undefined) {
      throw new ValidationError([
        { field: 'refreshToken', message: 'refreshToken is required (or the refresh cookie)' },
      ]);
    }
    assertNotCrossSite(request, this.config);
    try {
      return this.signedIn(await this.auth.refresh(cookie), 'cookie', reply);
    } catch (error) {
      // A dead cookie is dropped, so the browser stops presenting it.
      clearRefreshCookie(reply, this.config);
      throw error;
    }
  }

  @Post('logout')
  @HttpCode(204)
  @ApiOperation({ summary: 'End the current session (its access and refresh tokens stop working)' })
  @ApiNoContentResponse({ description: 'Signed out' })
  async logout(
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    await this.auth.logout(principal.userId, sessionIdOf(principal));
    clearRefreshCookie(reply, this.config);
  }

  @Post('logout-all')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Sign out everywhere: end every session of this account, this one included',
  })
  @ApiNoContentResponse({ description: 'Every session ended' })
  @ApiErrors('UNAUTHORIZED')
  async logoutEverywhere(
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    await this.auth.logoutEverywhere(principal.userId);
    clearRefreshCookie(reply, this.config);
  }
}
