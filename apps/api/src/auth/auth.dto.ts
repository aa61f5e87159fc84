import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import {
  EMAIL_MAX_LENGTH,
  EMAIL_PATTERN,
  normalizeEmail,
  PRIORITY_TIERS,
  USER_ROLES,
  USER_STATUSES,
  type PriorityTier,
  type User,
  type UserProfile,
  type UserRole,
  type UserStatus,
} from '@jewelshot/identity';
import { REFRESH_TOKEN_DELIVERIES, type RefreshTokenDelivery } from './refresh-cookie';

// Validated in the form it is stored in: lower-casing can lengthen a string ('İ' becomes two
// code units), so a length checked before it let a 255-character email reach the database (500).
const normalizedEmail = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? normalizeEmail(value) : value;

/** How a sign-in hands over its refresh token. */
class SignInOptionsDto {
  @ApiPropertyOptional({
    enum: REFRESH_TOKEN_DELIVERIES,
    default: 'body',
    description:
      "Where the refresh token goes: 'body' (integrators) or 'cookie' (browsers: an httpOnly, SameSite=Strict cookie for /v1/auth only, never readable by JavaScript; the response then has no refreshToken)",
  })
  @IsOptional()
  @IsIn(REFRESH_TOKEN_DELIVERIES)
  refreshTokenDelivery?: RefreshTokenDelivery;
}

export class RegisterDto extends SignInOptionsDto {
  @ApiProperty({ example: 'seller@example.com', maxLength: 254 })
  @Transform(normalizedEmail)
  @IsEmail({}, { message: 'email must be a valid email address' })
  @Matches(EMAIL_PATTERN, { message: 'email must be a valid email address' })
  @MaxLength(EMAIL_MAX_LENGTH)
  email!: string;

  @ApiProperty({ minLength: 10, maxLength: 128, example: 'correct horse battery' })
  @IsString()
  @Length(10, 128, { message: 'password must be 10 to 128 characters' })
  password!: string;

  @ApiPropertyOptional({
    enum: ['en', 'tr'],
    description: 'The language of the mail we send (English when absent)',
  })
  @IsOptional()
  @IsIn(['en', 'tr'])
  language?: 'en' | 'tr';
}

export class PasswordResetRequestDto {
  @ApiProperty({ example: 'seller@example.com', maxLength: 254 })
  @Transform(normalizedEmail)
  @IsEmail({}, { message: 'email must be a valid email address' })
  @Matches(EMAIL_PATTERN, { message: 'email must be a valid email address' })
  @MaxLength(EMAIL_MAX_LENGTH)
  email!: string;
}

export class PasswordResetAcceptedDto {
  @ApiProperty({
    example: 'If an account has this address, a reset link is on its way.',
    description: 'The same for every address, known or not',
  })
  message!: string;
}

export class PasswordResetConfirmDto {
  @ApiProperty({ description: 'The token from the reset link', maxLength: 200 })
  @IsString()
  @Length(1, 200)
  token!: string;

  @ApiProperty({ minLength: 10, maxLength: 128 })
  @IsString()
  @Length(10, 128, { message: 'password must be 10 to 128 characters' })
  password!: string;
}

export class VerifyEmailDto {
  @ApiProperty({ description: 'The token from the verify link', maxLength: 200 })
  @IsString()
  @Length(1, 200)
  token!: string;
}

export class LoginDto extends SignInOptionsDto {
  @ApiProperty({ example: 'seller@example.com', maxLength: 254 })
  @Transform(normalizedEmail)
  @IsEmail({}, { message: 'email must be a valid email address' })
  @Matches(EMAIL_PATTERN, { message: 'email must be a valid email address' })
  @MaxLength(EMAIL_MAX_LENGTH)
  email!: string;

  @ApiProperty({ maxLength: 128 })
  @IsString()
  @Length(1, 128)
  password!: string;
}

export class RefreshDto {
  @ApiPropertyOptional({
    description:
      'The refresh token from the last login or refresh. Omit it to use the refresh cookie (then send the header X-CSRF-Protection: 1)',
    maxLength: 512,
  })
  @IsOptional()
  @IsString()
  @Length(1, 512)
  refreshToken?: string;
}

export class ChangePasswordDto {
  @ApiProperty({ maxLength: 128 })
  @IsString()
  @Length(1, 128)
  currentPassword!: string;

  @ApiProperty({ minLength: 10, maxLength: 128 })
  @IsString()
  @Length(10, 128, { message: 'newPassword must be 10 to 128 characters' })
  newPassword!: string;
}

export class UserSummaryDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'seller@example.com' })
  email!: string;

  @ApiProperty({ enum: USER_ROLES })
  role!: UserRole;

  static of(user: Pick<User, 'id' | 'email' | 'role'>): UserSummaryDto {
    return { id: user.id, email: user.email, role: user.role };
  }
}

export class AuthResponseDto {
  @ApiProperty({ type: UserSummaryDto })
  user!: UserSummaryDto;

  @ApiProperty({ description: 'Short-lived JWT for the Authorization: Bearer header' })
  accessToken!: string;

  @ApiPropertyOptional({
    description:
      "Opaque, single-use token for POST /v1/auth/refresh (absent when refreshTokenDelivery is 'cookie')",
  })
  refreshToken?: string;
}

export class UserDto extends UserSummaryDto {
  @ApiProperty({ enum: USER_STATUSES })
  status!: UserStatus;

  @ApiProperty({
    enum: PRIORITY_TIERS,
    description: "Where this account's AI jobs go in the queue",
  })
  priorityTier!: PriorityTier;

  @ApiProperty({ description: 'Whether the address has been verified (a verify link followed)' })
  emailVerified!: boolean;

  @ApiProperty({ enum: ['en', 'tr'], description: 'The language of the mail we send' })
  language!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: string;

  static full(user: UserProfile): UserDto {
    return {
      ...UserSummaryDto.of(user),
      status: user.status,
      priorityTier: user.priorityTier,
      emailVerified: user.emailVerifiedAt !== null,
      language: user.language,
      createdAt: user.createdAt.toISOString(),
    };
  }
}
