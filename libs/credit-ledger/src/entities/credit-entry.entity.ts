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
import { CreditHold } from './credit-hold.entity';
import { bigintAsNumber } from './numeric.transformer';

export const ENTRY_KINDS = ['grant', 'purchase', 'charge', 'adjustment'] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

/**
 * Append-only history of every balance change, with the balance after it. A trigger refuses
 * UPDATE, DELETE and TRUNCATE. Within one account, ids grow in the order the changes happened
 * (every write holds the account row lock).
 */
@Entity({ name: 'credit_entries' })
@Index('credit_entries_reference_key', ['reference'], { unique: true })
@Index('credit_entries_hold_id_key', ['holdId'], { unique: true })
@Index('credit_entries_user_id_id_idx', ['userId', 'id'])
// The admin's ledger summary over a period.
@Index('credit_entries_created_at_idx', ['createdAt'])
@Check('credit_entries_delta_check', `"delta" <> 0`)
@Check('credit_entries_balance_after_check', `"balance_after" >= 0`)
@Check('credit_entries_kind_check', `"kind" IN ('grant', 'purchase', 'charge', 'adjustment')`)
@Check(
  'credit_entries_charge_check',
  `("kind" = 'charge') = ("hold_id" IS NOT NULL) AND ("kind" <> 'charge' OR "delta" < 0)`,
)
export class CreditEntry {
  @PrimaryGeneratedColumn('identity', {
    type: 'bigint',
    generatedIdentity: 'ALWAYS',
    primaryKeyConstraintName: 'credit_entries_pkey',
  })
  id!: string;

  @Column({ type: 'uuid' })
  userId!: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'credit_entries_user_id_fkey' })
  user?: User;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  delta!: number;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  balanceAfter!: number;

  @Column({ type: 'varchar', length: 16 })
  kind!: EntryKind;

  @Column({ type: 'uuid', nullable: true })
  holdId!: string | null;

  @ManyToOne(() => CreditHold, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'hold_id', foreignKeyConstraintName: 'credit_entries_hold_id_fkey' })
  hold?: CreditHold;

  @Column({ type: 'varchar', length: 128 })
  reference!: string;

  @Column({ type: 'varchar', length: 500, nullable: true })
  reason!: string | null;

  @Column({ type: 'uuid', nullable: true })
  actorId!: string | null;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'actor_id', foreignKeyConstraintName: 'credit_entries_actor_id_fkey' })
  actor?: User;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
