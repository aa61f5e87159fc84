import {
  Check,
  Column,
  Entity,
  JoinColumn,
  OneToOne,
  PrimaryColumn,
  UpdateDateColumn,
} from 'typeorm';
import { User } from '@jewelshot/identity';
import { bigintAsNumber } from './numeric.transformer';

/**
 * One per user, created with the user (by a trigger on users). available = balance - reserved.
 * Only LedgerService writes it, always under SELECT ... FOR UPDATE.
 */
@Entity({ name: 'credit_accounts' })
@Check('credit_accounts_amounts_check', `"reserved" >= 0 AND "balance" >= "reserved"`)
export class CreditAccount {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'credit_accounts_pkey' })
  userId!: string;

  @OneToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'credit_accounts_user_id_fkey' })
  user?: User;

  @Column({ type: 'bigint', default: 0, transformer: bigintAsNumber })
  balance!: number;

  @Column({ type: 'bigint', default: 0, transformer: bigintAsNumber })
  reserved!: number;

  /** The available balance is below LOW_CREDITS_THRESHOLD and the user was mailed (LowCredits). */
  @Column({ type: 'boolean', default: false })
  lowCreditsNotified!: boolean;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
