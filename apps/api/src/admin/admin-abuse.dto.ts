import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import type { FlagView } from '@jewelshot/admin';
import {
  FLAG_RESOLUTIONS,
  FLAG_STATUSES,
  SIGNALS,
  type FlagResolution,
  type FlagStatus,
  type SignalName,
} from '@jewelshot/abuse';
import { PageQueryDto } from '../common/pagination.dto';

export class AbuseFlagQueryDto extends PageQueryDto {
  @IsOptional()
  @IsUUID('4', { message: 'cursor must be the nextCursor of a previous page' })
  declare cursor?: string;

  @ApiPropertyOptional({ type: String, enum: FLAG_STATUSES })
  @IsOptional()
  @IsIn(FLAG_STATUSES)
  status?: FlagStatus;
}

export class AbuseSignalDto {
  @ApiProperty({ type: String, enum: SIGNALS }) signal!: SignalName;
  @ApiProperty({ type: Number, minimum: 0, maximum: 100 }) value!: number;
  @ApiProperty({ type: String }) reason!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'What the signal saw (counts, the address, the device id, the prompt hash)',
  })
  evidence!: Record<string, unknown>;
}

export class AbuseFlagDto {
  @ApiProperty({ type: String, format: 'uuid' }) id!: string;
  @ApiProperty({ type: String, format: 'uuid' }) userId!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    description: "The flagged user's email (null if the account no longer exists)",
  })
  email!: string | null;
  @ApiProperty({ type: String, enum: FLAG_STATUSES }) status!: FlagStatus;
  @ApiProperty({ type: Number, minimum: 0, maximum: 100 }) score!: number;
  @ApiProperty({ type: [AbuseSignalDto], description: 'The signals that raised the score' })
  signals!: AbuseSignalDto[];
  @ApiProperty({ type: String, description: 'The tier before the flag moved the user to low' })
  previousTier!: string;
  @ApiProperty({ type: Number, description: 'Sign-up credits the flag voided' })
  creditsHeld!: number;
  @ApiProperty({ type: String, enum: FLAG_RESOLUTIONS, nullable: true })
  resolution!: FlagResolution | null;
  @ApiProperty({ type: String, nullable: true }) note!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) resolvedBy!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) resolvedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time' }) updatedAt!: string;

  static of({ flag, email }: FlagView): AbuseFlagDto {
    return {
      id: flag.id,
      userId: flag.userId,
      email,
      status: flag.status,
      score: flag.score,
      signals: flag.signals,
      previousTier: flag.previousTier,
      creditsHeld: flag.creditsHeld,
      resolution: flag.resolution,
      note: flag.note,
      resolvedBy: flag.resolvedBy,
      resolvedAt: flag.resolvedAt?.toISOString() ?? null,
      createdAt: flag.createdAt.toISOString(),
      updatedAt: flag.updatedAt.toISOString(),
    };
  }
}

export class AbuseFlagPageDto {
  @ApiProperty({ type: [AbuseFlagDto] }) data!: AbuseFlagDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

const trimmed = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.trim() : value;

export class ResolveFlagDto {
  @ApiProperty({
    type: String,
    enum: FLAG_RESOLUTIONS,
    description: '`dismissed` restores the tier; `banned` bans the user (the ban action)',
  })
  @IsIn(FLAG_RESOLUTIONS)
  resolution!: FlagResolution;

  @ApiProperty({
    type: String,
    minLength: 3,
    maxLength: 500,
    description: 'Kept on the flag and in the audit log',
  })
  @Transform(trimmed)
  @IsString()
  @Length(3, 500)
  note!: string;
}
