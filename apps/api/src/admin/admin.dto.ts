import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsDate,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  MaxDate,
  MaxLength,
  Min,
  MinDate,
} from 'class-validator';
import { AUDIT_OUTCOMES, type AuditEvent, type AuditOutcome } from '@jewelshot/audit';
import { JOB_STATUSES, OPERATIONS, type JobStatus, type Operation } from '@jewelshot/ai-jobs';
import {
  PRIORITY_TIERS,
  USER_ROLES,
  USER_STATUSES,
  type PriorityTier,
  type UserRole,
  type UserStatus,
} from '@jewelshot/identity';
import { PageQueryDto } from '../common/pagination.dto';
import { trimmed } from '../common/trimmed';
import { UserDto } from '../auth/auth.dto';
import { BalanceDto } from '../credits/credits.dto';
import { JobDto } from '../ai/ai.dto';

/** An optional date-time query value, within what PostgreSQL's timestamptz holds and a person means. */
const QueryDate = () =>
  applyDecorators(
    IsOptional(),
    Type(() => Date),
    IsDate(),
    MinDate(new Date('1970-01-01T00:00:00Z')),
    MaxDate(new Date('9999-12-31T00:00:00Z')),
  );

/** The reason a destructive admin action requires; it goes into the audit event. */
export class ReasonDto {
  @ApiProperty({
    type: String,
    minLength: 3,
    maxLength: 500,
    description: 'Why: kept in the audit log',
  })
  @Transform(trimmed)
  @IsString()
  @Length(3, 500)
  reason!: string;
}

export class PriorityTierDto extends ReasonDto {
  @ApiProperty({
    type: String,
    enum: PRIORITY_TIERS,
    description: "Where this account's AI jobs go in the queue",
  })
  @IsIn(PRIORITY_TIERS)
  priorityTier!: PriorityTier;
}

export class SetPriceDto extends ReasonDto {
  @ApiProperty({ type: Number, minimum: 1, maximum: 1_000_000, description: 'Credits per unit' })
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  credits!: number;
}

export class RetryJobDto extends ReasonDto {
  @ApiProperty({
    type: String,
    enum: ['user', 'free'],
    description: "Who pays the new job: the user (at today's price), or nobody (free of charge)",
  })
  @IsIn(['user', 'free'])
  payer!: 'user' | 'free';
}

export class UserSearchQueryDto extends PageQueryDto {
  @IsOptional()
  @IsUUID('4', { message: 'cursor must be the nextCursor of a previous page' })
  override cursor?: string = undefined;

  @ApiPropertyOptional({ type: String, description: 'A fragment of the email' })
  @IsOptional()
  @IsString()
  @MaxLength(254)
  email?: string;

  @ApiPropertyOptional({ type: String, enum: USER_STATUSES })
  @IsOptional()
  @IsIn(USER_STATUSES)
  status?: UserStatus;

  @ApiPropertyOptional({ type: String, enum: USER_ROLES })
  @IsOptional()
  @IsIn(USER_ROLES)
  role?: UserRole;

  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'Created at or after' })
  @QueryDate()
  createdFrom?: Date;

  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'Created before' })
  @QueryDate()
  createdTo?: Date;
}

export class UserPageDto {
  @ApiProperty({ type: [UserDto] }) data!: UserDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class PendingHoldDto {
  @ApiProperty({ type: String, format: 'uuid' }) id!: string;
  @ApiProperty({ type: String }) operation!: string;
  @ApiProperty({ type: Number }) amount!: number;
  @ApiProperty({ type: String }) reference!: string;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time' }) expiresAt!: string;
}

export class SessionDto {
  @ApiProperty({ type: String, format: 'uuid' }) id!: string;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: string;
}

export class AdminJobDto extends JobDto {
  @ApiProperty({ type: String, format: 'uuid' }) userId!: string;
  @ApiProperty({ type: String, nullable: true, description: "The owner's email" })
  userEmail!: string | null;
  @ApiProperty({ type: String, format: 'uuid' }) holdId!: string;
  @ApiProperty({ type: String, nullable: true, description: 'The provider that ran it' })
  provider!: string | null;
  @ApiProperty({ type: String, nullable: true, description: "The provider's own request id" })
  providerRequestId!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The raw error code (admins only)' })
  rawErrorCode!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The raw error message (admins only)' })
  rawErrorMessage!: string | null;
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The failed job an admin ran again as this one',
  })
  retryOf!: string | null;
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The job a failed job was retried as (a failed job is retried once)',
  })
  retriedAs!: string | null;
}

export class AdminJobPageDto {
  @ApiProperty({ type: [AdminJobDto] }) data!: AdminJobDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class UserDetailDto {
  @ApiProperty({ type: UserDto }) user!: UserDto;
  @ApiProperty({ type: BalanceDto }) balance!: BalanceDto;
  @ApiProperty({ type: [PendingHoldDto], description: 'Pending holds' }) holds!: PendingHoldDto[];
  @ApiProperty({ type: [AdminJobDto], description: 'The 10 newest jobs' })
  recentJobs!: AdminJobDto[];
  @ApiProperty({ type: [SessionDto], description: 'Open sessions' }) sessions!: SessionDto[];
}

export class BanResultDto {
  @ApiProperty({ type: UserDto }) user!: UserDto;
  @ApiProperty({ type: Number }) sessionsEnded!: number;
  @ApiProperty({ type: [String], description: 'Queued jobs canceled and refunded' })
  canceledJobs!: string[];
  @ApiProperty({ type: Number, description: 'Credits released from their holds' })
  refunded!: number;
}

export class SessionsEndedDto {
  @ApiProperty({ type: Number }) sessionsEnded!: number;
}

export class JobSearchQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ type: String, enum: JOB_STATUSES })
  @IsOptional()
  @IsIn(JOB_STATUSES)
  status?: JobStatus;

  @ApiPropertyOptional({ type: String, format: 'uuid' })
  @IsOptional()
  @IsUUID('4')
  userId?: string;

  @ApiPropertyOptional({ type: String, enum: OPERATIONS })
  @IsOptional()
  @IsIn(OPERATIONS)
  operation?: Operation;

  @ApiPropertyOptional({ type: String, format: 'date-time' })
  @QueryDate()
  from?: Date;

  @ApiPropertyOptional({ type: String, format: 'date-time' })
  @QueryDate()
  to?: Date;
}

export class RangeQueryDto {
  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'From (inclusive)' })
  @QueryDate()
  from?: Date;

  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'To (exclusive)' })
  @QueryDate()
  to?: Date;
}

export class LedgerSummaryDto {
  @ApiProperty({ type: String, format: 'date-time' }) from!: string;
  @ApiProperty({ type: String, format: 'date-time' }) to!: string;
  @ApiProperty({ type: Number }) granted!: number;
  @ApiProperty({ type: Number }) purchased!: number;
  @ApiProperty({ type: Number }) charged!: number;
  @ApiProperty({ type: Number, description: 'Released holds (refunds, cancels, expiries)' })
  refunded!: number;
  @ApiProperty({ type: Number }) adjustedUp!: number;
  @ApiProperty({ type: Number }) adjustedDown!: number;
}

export class WorkerDto {
  @ApiProperty({ type: String }) id!: string;
  @ApiProperty({ type: Number }) pid!: number;
  @ApiProperty({ type: String, format: 'date-time' }) startedAt!: string;
  @ApiProperty({ type: String, format: 'date-time' }) at!: string;
}

export class QueuedByPriorityDto {
  @ApiProperty({ type: Number }) high!: number;
  @ApiProperty({ type: Number }) normal!: number;
  @ApiProperty({ type: Number }) low!: number;
}

export class QueueStatsDto {
  @ApiProperty({ type: String }) name!: string;
  @ApiProperty({ type: Boolean }) paused!: boolean;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number' },
    description: 'Jobs per BullMQ state',
  })
  counts!: Record<string, number>;
  @ApiProperty({ type: QueuedByPriorityDto }) queuedByPriority!: QueuedByPriorityDto;
  @ApiProperty({ type: Number, nullable: true }) oldestWaitingSeconds!: number | null;
  @ApiProperty({ type: [WorkerDto], description: 'Workers alive (live heartbeats)' })
  workers!: WorkerDto[];
}

/** What selects audit events: the list pages through them, the CSV export takes them all. */
export class AuditFilterQueryDto extends RangeQueryDto {
  @ApiPropertyOptional({ type: String, format: 'uuid' })
  @IsOptional()
  @IsUUID()
  actorId?: string;

  @ApiPropertyOptional({ type: String, example: 'user.ban' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  action?: string;

  @ApiPropertyOptional({ type: String })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  targetId?: string;

  @ApiPropertyOptional({
    type: String,
    description:
      'The request that recorded the event (its X-Request-Id): what one admin call did. The console sends an id of its own with each change and reads its event by it.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  requestId?: string;

  @ApiPropertyOptional({ type: String, enum: AUDIT_OUTCOMES })
  @IsOptional()
  @IsIn(AUDIT_OUTCOMES)
  outcome?: AuditOutcome;
}

export class AuditQueryDto extends AuditFilterQueryDto {
  @ApiPropertyOptional({ type: Number, minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit: number = 20;

  @ApiPropertyOptional({ type: String, description: 'The nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  cursor?: string;
}

export class AuditEventDto {
  @ApiProperty({ type: Number }) seq!: number;
  @ApiProperty({ type: String }) action!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) actorId!: string | null;
  @ApiProperty({ type: String, nullable: true }) actorEmail!: string | null;
  @ApiProperty({ type: String, nullable: true }) targetType!: string | null;
  @ApiProperty({ type: String, nullable: true }) targetId!: string | null;
  @ApiProperty({ type: String, enum: AUDIT_OUTCOMES }) outcome!: AuditOutcome;
  @ApiProperty({ type: String, nullable: true }) reason!: string | null;
  @ApiProperty({ nullable: true, description: 'What changed: the state before' }) before!: unknown;
  @ApiProperty({ nullable: true, description: 'What changed: the state after' }) after!: unknown;
  @ApiProperty({ nullable: true, description: 'Anything else recorded' }) details!: unknown;
  @ApiProperty({ type: String, nullable: true }) ip!: string | null;
  @ApiProperty({ type: String, nullable: true }) userAgent!: string | null;
  @ApiProperty({ type: String, nullable: true }) requestId!: string | null;
  @ApiProperty({ type: String, format: 'date-time' }) occurredAt!: string;
  @ApiProperty({ type: String, description: 'SHA-256 of this event and the previous hash' })
  hash!: string;

  static of(event: AuditEvent): AuditEventDto {
    return {
      seq: event.seq,
      action: event.action,
      actorId: event.actorId,
      actorEmail: event.actorEmail,
      targetType: event.targetType,
      targetId: event.targetId,
      outcome: event.outcome,
      reason: event.reason,
      before: event.before,
      after: event.after,
      details: event.details,
      ip: event.ip,
      userAgent: event.userAgent,
      requestId: event.requestId,
      occurredAt: event.occurredAt.toISOString(),
      hash: event.hash,
    };
  }
}

export class AuditPageDto {
  @ApiProperty({ type: [AuditEventDto] }) data!: AuditEventDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class AuditBreakDto {
  @ApiProperty({ type: Number }) seq!: number;
  @ApiProperty({ type: String, example: 'seq 35 was changed after it was written' })
  problem!: string;
}

export class AuditVerificationDto {
  @ApiProperty({ type: Boolean }) ok!: boolean;
  @ApiProperty({ type: Number, description: 'Events read' }) events!: number;
  @ApiProperty({ type: Number, nullable: true }) firstBrokenSeq!: number | null;
  @ApiProperty({ type: String, nullable: true }) problem!: string | null;
  @ApiProperty({
    type: [AuditBreakDto],
    description:
      'Every break found, in seq order (the first 100): the walk goes on past a break, so one broken row does not hide a later edit',
  })
  breaks!: AuditBreakDto[];
  @ApiProperty({ type: Number, description: 'Anchors compared' }) anchors!: number;
}
