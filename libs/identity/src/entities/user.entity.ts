import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

export const USER_ROLES = ['user', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export const PRIORITY_TIERS = ['high', 'normal', 'low'] as const;
export type PriorityTier = (typeof PRIORITY_TIERS)[number];

export const USER_STATUSES = ['active', 'banned'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

@Entity({ name: 'users' })
@Index('users_email_key', ['email'], { unique: true })
@Check('users_role_check', `"role" IN ('user', 'admin')`)
@Check('users_status_check', `"status" IN ('active', 'banned')`)
@Check('users_priority_tier_check', `"priority_tier" IN ('high', 'normal', 'low')`)
@Check('users_email_normalised_check', `"email" = lower(btrim("email"))`)
export class User {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'users_pkey' })
  id!: string;

  /** Normalised (trimmed, lower-cased); unique. */
  @Column({ type: 'varchar', length: 254 })
  email!: string;

  @Column({ type: 'varchar', length: 255 })
  passwordHash!: string;

  @Column({ type: 'varchar', length: 16, default: 'user' })
  role!: UserRole;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status!: UserStatus;

  /** Where this account's AI jobs go in the queue; admins may change it. */
  @Column({ type: 'varchar', length: 8, default: 'normal' })
  priorityTier!: PriorityTier;

  /** When the address was proven (a verify link followed); null until then. */
  @Column({ type: 'timestamptz', nullable: true })
  emailVerifiedAt!: Date | null;

  /** The language of the mail we send (`en` or `tr`). */
  @Column({ type: 'varchar', length: 8, default: 'en' })
  language!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
