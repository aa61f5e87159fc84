import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import {
  EMAIL_STATUSES,
  EMAIL_TEMPLATES,
  PREFERENCE_TYPES,
  type EmailRecord,
  type EmailStatus,
  type PreferenceType,
} from '@jewelshot/email';
import { PageQueryDto } from '../common/pagination.dto';
import { PresentOrAbsent } from '../common/present-or-absent.decorator';

/** One switch per non-security type (security mail cannot be turned off). */
export class EmailPreferencesDto {
  @ApiProperty({ description: 'The welcome mail' })
  welcome!: boolean;

  @ApiProperty({ description: 'A job failed after its last attempt (its credits refunded)' })
  'job-failed'!: boolean;

  @ApiProperty({ description: 'A batch finished' })
  'batch-finished'!: boolean;

  @ApiProperty({ description: 'The available balance fell below the low-credit threshold' })
  'low-credits'!: boolean;

  @ApiProperty({ description: 'Alerts for administrators' })
  'admin-alert'!: boolean;
}

export class UpdateEmailPreferencesDto {
  @ApiPropertyOptional()
  @PresentOrAbsent()
  @IsBoolean()
  welcome?: boolean;

  @ApiPropertyOptional()
  @PresentOrAbsent()
  @IsBoolean()
  'job-failed'?: boolean;

  @ApiPropertyOptional()
  @PresentOrAbsent()
  @IsBoolean()
  'batch-finished'?: boolean;

  @ApiPropertyOptional()
  @PresentOrAbsent()
  @IsBoolean()
  'low-credits'?: boolean;

  @ApiPropertyOptional()
  @PresentOrAbsent()
  @IsBoolean()
  'admin-alert'?: boolean;
}

export class UnsubscribeQueryDto {
  @ApiProperty({ description: 'The signed token of the unsubscribe link' })
  @IsString()
  @Length(1, 300)
  token!: string;
}

export class UnsubscribedDto {
  @ApiProperty({ enum: PREFERENCE_TYPES, description: 'The type of mail now turned off' })
  type!: PreferenceType;
}

export class EmailListQueryDto extends PageQueryDto {
  @IsOptional()
  @IsUUID('4', { message: 'cursor must be the nextCursor of a previous page' })
  override cursor?: string = undefined;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  userId?: string;

  @ApiPropertyOptional({ enum: EMAIL_STATUSES })
  @IsOptional()
  @IsIn(EMAIL_STATUSES)
  status?: EmailStatus;

  @ApiPropertyOptional({ enum: EMAIL_TEMPLATES })
  @IsOptional()
  @IsIn(EMAIL_TEMPLATES)
  template?: string;
}

/** A message as support sees it: no body, no link. */
export class EmailRecordDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  userId!: string | null;

  @ApiProperty()
  to!: string;

  @ApiProperty({ enum: EMAIL_TEMPLATES })
  template!: string;

  @ApiProperty({ enum: ['en', 'tr'] })
  language!: string;

  @ApiProperty()
  subject!: string;

  @ApiProperty({ enum: EMAIL_STATUSES })
  status!: EmailStatus;

  @ApiProperty({ type: String, nullable: true, description: "The provider's message id" })
  providerId!: string | null;

  @ApiProperty()
  attempts!: number;

  @ApiProperty({ type: String, nullable: true })
  lastError!: string | null;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  sentAt!: string | null;

  static of(record: EmailRecord): EmailRecordDto {
    return {
      id: record.id,
      userId: record.userId,
      to: record.toAddress,
      template: record.template,
      language: record.language,
      subject: record.subject,
      status: record.status,
      providerId: record.providerId,
      attempts: record.attempts,
      lastError: record.lastError,
      createdAt: record.createdAt.toISOString(),
      sentAt: record.sentAt ? record.sentAt.toISOString() : null,
    };
  }
}

export class EmailPageDto {
  @ApiProperty({ type: [EmailRecordDto] })
  data!: EmailRecordDto[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor!: string | null;
}
