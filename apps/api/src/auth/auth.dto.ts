import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsString, Length, MaxLength } from 'class-validator';
import {
  EMAIL_MAX_LENGTH,
  normalizeEmail,
  PRIORITY_TIERS,
  USER_ROLES,
  USER_STATUSES,
  type PriorityTier,
  type User,
  type UserRole,
  type UserStatus,
} from '@jewelshot/identity';

// Validated in the form it is stored in: lower-casing can lengthen a string ('İ' becomes two
// code units), so a length checked before it let a 255-character email reach the database (500).
const normalizedEmail = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? normalizeEmail(value) : value;

export class RegisterDto {
  @ApiProperty({ example: 'seller@example.com', maxLength: 254 })
  @Transform(normalizedEmail)
  @IsEmail({}, { message: 'email must be a valid email address' })
  @MaxLength(EMAIL_MAX_LENGTH)
  email!: string;

  @ApiProperty({ minLength: 10, maxLength: 128, example: 'correct horse battery' })
  @IsString()
  @Length(10, 128, { message: 'password must be 10 to 128 characters' })
  password!: string;
}

export class LoginDto {
  @ApiProperty({ example: 'seller@example.com', maxLength: 254 })
  @Transform(normalizedEmail)
  @IsEmail({}, { message: 'email must be a valid email address' })
  @MaxLength(EMAIL_MAX_LENGTH)
  email!: string;

  @ApiProperty({ maxLength: 128 })
  @IsString()
  @Length(1, 128)
  password!: string;
}

export class RefreshDto {
  @ApiProperty({ description: 'The refresh token from the last login or refresh', maxLength: 512 })
  @IsString()
  @Length(1, 512)
  refreshToken!: string;
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

  @ApiProperty({ description: 'Opaque, single-use token for POST /v1/auth/refresh' })
  refreshToken!: string;
}

export class UserDto extends UserSummaryDto {
  @ApiProperty({ enum: USER_STATUSES })
  status!: UserStatus;

  @ApiProperty({
    enum: PRIORITY_TIERS,
    description: "Where this account's AI jobs go in the queue",
  })
  priorityTier!: PriorityTier;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: string;

  static full(user: User): UserDto {
    return {
      ...UserSummaryDto.of(user),
      status: user.status,
      priorityTier: user.priorityTier,
      createdAt: user.createdAt.toISOString(),
    };
  }
}
