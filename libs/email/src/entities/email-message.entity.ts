import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryColumn,
  UpdateDateColumn,
} from 'typeorm';

export const EMAIL_STATUSES = ['queued', 'sent', 'failed', 'suppressed', 'rate_limited'] as const;
export type EmailStatus = (typeof EMAIL_STATUSES)[number];

/**
 * One message asked of EmailService, whatever became of it. The user id is a plain value (no
 * relation: email stands on platform alone). The bodies are kept only until the message is
 * sent or has failed: a reset link is not left lying in the table.
 */
@Entity({ name: 'email_messages' })
@Check(
  'email_messages_status_check',
  `"status" IN ('queued', 'sent', 'failed', 'suppressed', 'rate_limited')`,
)
@Index('email_messages_user_template', ['userId', 'template', 'createdAt'])
@Index('email_messages_address_template', ['toAddress', 'template', 'createdAt'])
@Index('email_messages_created_at', ['createdAt'])
// The admin's mail log by status (failed, suppressed: the few an admin looks for), newest first.
@Index('email_messages_status_created_at', ['status', 'createdAt'])
export class EmailMessage {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'email_messages_pkey' })
  id!: string;

  @Column({ type: 'uuid', nullable: true })
  userId!: string | null;

  @Column({ type: 'varchar', length: 254 })
  toAddress!: string;

  @Column({ type: 'varchar', length: 40 })
  template!: string;

  @Column({ type: 'varchar', length: 8 })
  language!: string;

  @Column({ type: 'varchar', length: 300 })
  subject!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: EmailStatus;

  @Column({ type: 'text', nullable: true })
  html!: string | null;

  @Column({ type: 'text', nullable: true })
  text!: string | null;

  @Column({ type: 'jsonb' })
  headers!: Record<string, string>;

  @Column({ type: 'varchar', length: 200, nullable: true })
  providerId!: string | null;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  lastError!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  sentAt!: Date | null;
}
