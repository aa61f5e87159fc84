import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { User } from '@jewelshot/identity';
import { bigintAsNumber } from './numeric.transformer';

export const HOLD_STATUSES = ['pending', 'posted', 'voided', 'expired'] as const;
export type HoldStatus = (typeof HOLD_STATUSES)[number];

/**
 * A reservation of credits for one thing being paid for (`reference`, e.g. a job id):
 * pending -> posted (charged) | voided (refunded) | expired (released by the sweeper).
 */
@Entity({ name: 'credit_holds' })
@Index('credit_holds_reference_key', ['reference'], { unique: true })
// A user's holds, newest first (their hold history); also every lookup by user.
@Index('credit_holds_user_id_created_at_id_idx', ['userId', 'createdAt', 'id'])
// The refunds of the admin's ledger summary over a period.
@Index('credit_holds_refunded_settled_at_idx', ['settledAt'], {
  where: `"status" IN ('voided', 'expired')`,
})
@Index('credit_holds_pending_expires_at_idx', ['expiresAt'], { where: `"status" = 'pending'` })
@Check(
  'credit_holds_amount_check',
  `"amount" > 0 AND "quantity" > 0 AND "unit_price" > 0 AND "amount" = "unit_price" * "quantity"`,
)
@Check('credit_holds_status_check', `"status" IN ('pending', 'posted', 'voided', 'expired')`)
@Check('credit_holds_settled_check', `("status" = 'pending') = ("settled_at" IS NULL)`)
export class CreditHold {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'credit_holds_pkey' })
  id!: string;

  @Column({ type: 'uuid' })
  userId!: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'credit_holds_user_id_fkey' })
  user?: User;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  amount!: number;

  @Column({ type: 'varchar', length: 64 })
  operation!: string;

  @Column({ type: 'integer' })
  unitPrice!: number;

  @Column({ type: 'integer', default: 1 })
  quantity!: number;

  @Column({ type: 'varchar', length: 128 })
  reference!: string;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status!: HoldStatus;

  /**
   * The reference of the grant entry that paid for this hold (an admin's free retry), or null.
   * Released (refunded or expired), the hold takes its grant back: a free job that did not
   * succeed leaves the account as it was.
   */
  @Column({ type: 'varchar', length: 128, nullable: true })
  fundedBy!: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  reason!: string | null;

  @Column({ type: 'timestamptz' })
  expiresAt!: Date;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  settledAt!: Date | null;
}
