import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryColumn,
  UpdateDateColumn,
} from 'typeorm';
import type { PriorityTier } from '@jewelshot/identity';
import type { SignalReading } from '../signals';

export const FLAG_STATUSES = ['open', 'resolved'] as const;
export type FlagStatus = (typeof FLAG_STATUSES)[number];

export const FLAG_RESOLUTIONS = ['dismissed', 'banned'] as const;
export type FlagResolution = (typeof FLAG_RESOLUTIONS)[number];

/**
 * A user whose score went over ABUSE_FLAG_THRESHOLD, for an admin to look at. At most one open
 * flag per user (a unique partial index): a higher score updates it. It remembers the tier the
 * user had before being moved to `low`, so a dismissal puts it back.
 */
@Entity({ name: 'abuse_flags' })
@Check('abuse_flags_status_check', `"status" IN ('open', 'resolved')`)
@Check(
  'abuse_flags_resolution_check',
  `("status" = 'open') = ("resolution" IS NULL) AND ("resolution" IS NULL OR "resolution" IN ('dismissed', 'banned'))`,
)
@Index('abuse_flags_one_open_per_user', ['userId'], { unique: true, where: `"status" = 'open'` })
@Index('abuse_flags_status_created', ['status', 'createdAt'])
export class AbuseFlag {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'abuse_flags_pkey' })
  id!: string;

  @Column({ type: 'uuid' })
  userId!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: FlagStatus;

  @Column({ type: 'smallint' })
  score!: number;

  /** The signals when the score was last raised, with their evidence. */
  @Column({ type: 'jsonb' })
  signals!: SignalReading[];

  @Column({ type: 'varchar', length: 16 })
  previousTier!: PriorityTier;

  /** Sign-up credits voided by the flag (ABUSE_HOLD_SIGNUP_CREDITS). */
  @Column({ type: 'integer', default: 0 })
  creditsHeld!: number;

  @Column({ type: 'varchar', length: 16, nullable: true })
  resolution!: FlagResolution | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  note!: string | null;

  @Column({ type: 'uuid', nullable: true })
  resolvedBy!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  resolvedAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
