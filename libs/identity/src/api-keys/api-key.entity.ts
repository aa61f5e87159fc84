import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { User } from '../entities/user.entity';

/**
 * An integrator's API key: `js_live_<publicId>_<secret>`. Looked up by its public id; only the
 * SHA-256 of the secret is stored (the secret is 256 random bits, so a slow hash adds nothing).
 * A key acts for its user with its scopes only; revoking it stops it on every API process
 * within USER_STATUS_CACHE_MS.
 */
@Entity({ name: 'api_keys' })
@Index('api_keys_user_id_idx', ['userId'])
export class ApiKey {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'api_keys_pkey' })
  id!: string;

  @Column({ type: 'uuid' })
  userId!: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'api_keys_user_id_fkey' })
  user?: User;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  /** The key's public part (hex): how a presented key is found. */
  @Index('api_keys_public_id_key', { unique: true })
  @Column({ type: 'varchar', length: 32 })
  publicId!: string;

  /** SHA-256 of the secret part, hex. */
  @Column({ type: 'char', length: 64 })
  secretHash!: string;

  @Column({ type: 'text', array: true })
  scopes!: string[];

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  /** Updated at most once a minute per process (a throttle, not a log). */
  @Column({ type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;
}
