import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { Session } from './session.entity';

/**
 * One refresh token of a session. Each refresh rotates to a new token of the same session;
 * presenting a rotated token again revokes the whole session. Only a SHA-256 of the secret
 * is stored; the token handed out is `<id>.<secret>`.
 */
@Entity({ name: 'refresh_tokens' })
@Index('refresh_tokens_session_id_idx', ['sessionId'])
export class RefreshToken {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'refresh_tokens_pkey' })
  id!: string;

  @Column({ type: 'uuid' })
  sessionId!: string;

  @ManyToOne(() => Session, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'session_id', foreignKeyConstraintName: 'refresh_tokens_session_id_fkey' })
  session?: Session;

  @Column({ type: 'char', length: 64 })
  tokenHash!: string;

  @Column({ type: 'timestamptz' })
  expiresAt!: Date;

  /** Set when the token was exchanged for a newer one; it can never be used again. */
  @Column({ type: 'timestamptz', nullable: true })
  rotatedAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
