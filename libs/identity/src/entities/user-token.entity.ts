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
import { User } from './user.entity';

export const USER_TOKEN_PURPOSES = ['password_reset', 'verify_email'] as const;
export type UserTokenPurpose = (typeof USER_TOKEN_PURPOSES)[number];

/**
 * A single-use token mailed to a user (password reset, email verification). Only its SHA-256
 * is stored: a reader of the table cannot use it. Used once (`used_at`), then never again.
 */
@Entity({ name: 'user_tokens' })
@Check('user_tokens_purpose_check', `"purpose" IN ('password_reset', 'verify_email')`)
@Index('user_tokens_token_hash_key', ['tokenHash'], { unique: true })
@Index('user_tokens_user_id', ['userId'])
export class UserToken {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'user_tokens_pkey' })
  id!: string;

  @Column({ type: 'uuid' })
  userId!: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'user_tokens_user_id_fkey' })
  user?: User;

  @Column({ type: 'varchar', length: 20 })
  purpose!: UserTokenPurpose;

  @Column({ type: 'varchar', length: 64 })
  tokenHash!: string;

  @Column({ type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  usedAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
