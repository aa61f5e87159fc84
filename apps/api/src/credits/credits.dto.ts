import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
  NotEquals,
} from 'class-validator';
import {
  ENTRY_KINDS,
  HOLD_STATUSES,
  type CreditEntry,
  type CreditHold,
  type EntryKind,
  type HoldStatus,
  type OperationPrice,
} from '@jewelshot/credit-ledger';
import { PageQueryDto } from '../common/pagination.dto';
import { trimmed } from '../common/trimmed';

export class BalanceDto {
  @ApiProperty({ type: Number, description: 'Credits owned, including reserved ones' })
  balance!: number;

  @ApiProperty({ type: Number, description: 'Credits held for operations in progress' })
  reserved!: number;

  @ApiProperty({ type: Number, description: 'balance - reserved: what new operations may use' })
  available!: number;
}

export class EntryDto {
  @ApiProperty({ type: String, description: 'Entry id (ascending in time)' })
  id!: string;

  @ApiProperty({ enum: ENTRY_KINDS })
  kind!: EntryKind;

  @ApiProperty({ type: Number, description: 'Change of the balance (negative for charges)' })
  delta!: number;

  @ApiProperty({ type: Number })
  balanceAfter!: number;

  @ApiProperty({ type: String, nullable: true })
  reason!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    format: 'uuid',
    description: 'The hold a charge settled',
  })
  holdId!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'generate',
    description: 'For a charge: the operation it paid for',
  })
  operation!: string | null;

  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'For a charge: how many units it paid for (images for generate)',
  })
  quantity!: number | null;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: string;

  static of(entry: CreditEntry): EntryDto {
    return {
      id: entry.id,
      kind: entry.kind,
      delta: entry.delta,
      balanceAfter: entry.balanceAfter,
      reason: entry.reason,
      holdId: entry.holdId,
      operation: entry.hold?.operation ?? null,
      quantity: entry.hold?.quantity ?? null,
      createdAt: entry.createdAt.toISOString(),
    };
  }
}

export class HoldDto {
  @ApiProperty({ type: String, format: 'uuid' })
  id!: string;

  @ApiProperty({ type: String, example: 'generate' })
  operation!: string;

  @ApiProperty({ type: Number, description: 'Units reserved (images for generate)' })
  quantity!: number;

  @ApiProperty({ type: Number, description: 'Credits reserved (the price snapshot × quantity)' })
  amount!: number;

  @ApiProperty({
    enum: HOLD_STATUSES,
    description:
      'pending: reserved while the work runs; posted: charged; voided: refunded; expired: released because the work never finished',
  })
  status!: HoldStatus;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  settledAt!: string | null;

  static of(hold: CreditHold): HoldDto {
    return {
      id: hold.id,
      operation: hold.operation,
      quantity: hold.quantity,
      amount: hold.amount,
      status: hold.status,
      createdAt: hold.createdAt.toISOString(),
      settledAt: hold.settledAt?.toISOString() ?? null,
    };
  }
}

export class HoldPageDto {
  @ApiProperty({ type: [HoldDto] })
  data!: HoldDto[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor!: string | null;
}

export class HoldQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ type: String, description: 'The nextCursor of the previous page' })
  @IsOptional()
  @IsUUID('all', { message: 'cursor must be the nextCursor of a previous page' })
  override cursor?: string = undefined;
}

export class EntryPageDto {
  @ApiProperty({ type: [EntryDto] })
  data!: EntryDto[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor!: string | null;
}

export class HistoryQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ type: String, description: 'The nextCursor of the previous page' })
  @IsOptional()
  @Matches(/^\d{1,19}$/, { message: 'cursor must be the nextCursor of a previous page' })
  override cursor?: string = undefined;
}

export class PriceDto {
  @ApiProperty({ type: String, example: 'generate' })
  operation!: string;

  @ApiProperty({ type: Number, description: 'Credits per unit (per image for generate)' })
  credits!: number;

  static of(price: OperationPrice): PriceDto {
    return { operation: price.operation, credits: price.credits };
  }
}

export class AdjustCreditsDto {
  @ApiProperty({
    type: Number,
    description: 'Credits to add (positive) or remove (negative); never below what is reserved',
  })
  @IsInt()
  @NotEquals(0)
  @Min(-1_000_000)
  @Max(1_000_000)
  delta!: number;

  @ApiProperty({
    type: String,
    minLength: 3,
    maxLength: 500,
    description: 'Why: kept in the ledger entry and the audit log (surrounding spaces trimmed)',
  })
  @Transform(trimmed)
  @IsString()
  @Length(3, 500)
  reason!: string;

  @ApiProperty({
    type: String,
    maxLength: 100,
    description: 'Your id for this adjustment; sending the same one again changes nothing',
  })
  @IsString()
  @Matches(/^[A-Za-z0-9._:-]{1,100}$/, {
    message: 'reference must be 1-100 letters, digits, ".", "_", ":" or "-"',
  })
  reference!: string;
}

export class ViolationDto {
  @ApiProperty({ type: String }) check!: string;
  @ApiProperty({ type: String }) subject!: string;
  @ApiProperty({ type: String }) detail!: string;
}

export class VerificationDto {
  @ApiProperty({ type: Boolean }) ok!: boolean;
  @ApiProperty({ type: Number }) accounts!: number;
  @ApiProperty({ type: Number }) entries!: number;
  @ApiProperty({ type: Number }) holds!: number;
  @ApiProperty({ type: [ViolationDto] }) violations!: ViolationDto[];
}
