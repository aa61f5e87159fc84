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
import { CreditHold } from '@jewelshot/credit-ledger';
import { User } from '@jewelshot/identity';
import type { JobFailureCode } from '../ai-jobs.errors';

export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'canceled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const TERMINAL_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'canceled'];

export const PRIORITIES = ['high', 'normal', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** Validated operation params (see job-params.ts): flat JSON values only. */
export type JobParams = Record<string, string | number | boolean | null>;

export const OPERATIONS = ['generate', 'edit', 'remove-background', 'upscale'] as const;
export type Operation = (typeof OPERATIONS)[number];

/**
 * One AI operation. This row is the truth; the BullMQ job (same id) only points at it.
 * Its credit hold's reference is the job id.
 */
@Entity({ name: 'ai_jobs' })
@Index('ai_jobs_user_id_created_at_idx', ['userId', 'createdAt'])
// Every user's jobs, newest first: the admin list, with or without a filter.
@Index('ai_jobs_created_at_id_idx', ['createdAt', 'id'])
@Index('ai_jobs_batch_id_idx', ['batchId'])
@Index('ai_jobs_hold_id_key', ['holdId'], { unique: true })
@Index('ai_jobs_retry_of_key', ['retryOf'], { unique: true })
@Index('ai_jobs_active_idx', ['status', 'updatedAt'], {
  where: `"status" IN ('queued', 'running')`,
})
@Index('ai_jobs_user_active_idx', ['userId'], {
  where: `"status" IN ('queued', 'running')`,
})
@Check(
  'ai_jobs_status_check',
  `"status" IN ('queued', 'running', 'succeeded', 'failed', 'canceled')`,
)
@Check('ai_jobs_priority_check', `"priority" IN ('high', 'normal', 'low')`)
@Check(
  'ai_jobs_operation_check',
  `"operation" IN ('generate', 'edit', 'remove-background', 'upscale')`,
)
@Check(
  'ai_jobs_finished_check',
  `("status" IN ('succeeded', 'failed', 'canceled')) = ("finished_at" IS NOT NULL)`,
)
export class AiJob {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'ai_jobs_pkey' })
  id!: string;

  @Column({ type: 'uuid' })
  userId!: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'ai_jobs_user_id_fkey' })
  user?: User;

  @Column({ type: 'uuid', nullable: true })
  batchId!: string | null;

  // By the entity's name, not its class: a batch knows its jobs' params type, and the job only
  // needs the foreign key, so the two files do not import each other.
  @ManyToOne('Batch', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'batch_id', foreignKeyConstraintName: 'ai_jobs_batch_id_fkey' })
  batch?: object;

  @Column({ type: 'varchar', length: 32 })
  operation!: Operation;

  @Column({ type: 'jsonb' })
  params!: JobParams;

  @Column({ type: 'varchar', length: 16, default: 'queued' })
  status!: JobStatus;

  @Column({ type: 'varchar', length: 8, default: 'normal' })
  priority!: Priority;

  /** Credits held for (and, on success, charged for) this job. */
  @Column({ type: 'integer' })
  cost!: number;

  @Column({ type: 'uuid' })
  holdId!: string;

  @ManyToOne(() => CreditHold, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'hold_id', foreignKeyConstraintName: 'ai_jobs_hold_id_fkey' })
  hold?: CreditHold;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  /** The failed job an admin ran again as this one; a failed job is run again at most once. */
  @Column({ type: 'uuid', nullable: true })
  retryOf!: string | null;

  @ManyToOne(() => AiJob, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'retry_of', foreignKeyConstraintName: 'ai_jobs_retry_of_fkey' })
  retried?: AiJob;

  /** The provider's own id for the request (fal's request_id), saved as soon as it is known. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  providerRequestId!: string | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  provider!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  cancelRequestedAt!: Date | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  errorCode!: JobFailureCode | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  errorMessage!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;
}
