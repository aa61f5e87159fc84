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
import { AiJob } from '../jobs/ai-job.entity';

export const FILE_KINDS = ['upload', 'output'] as const;
export type FileKind = (typeof FILE_KINDS)[number];

/** An image we hold in storage: a user's upload or a job's output. Owned by one user. */
@Entity({ name: 'files' })
@Index('files_user_id_created_at_idx', ['userId', 'createdAt'])
@Index('files_job_id_idx', ['jobId'])
// A user's storage used (the quota of every upload, GET /v1/files/usage) from the index alone.
@Index('files_user_id_bytes_idx', ['userId', 'bytes'])
@Check('files_kind_check', `"kind" IN ('upload', 'output')`)
@Check('files_dimensions_check', `"width" > 0 AND "height" > 0 AND "bytes" > 0`)
export class StoredFile {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'files_pkey' })
  id!: string;

  @Column({ type: 'uuid' })
  userId!: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'files_user_id_fkey' })
  user?: User;

  @Column({ type: 'varchar', length: 16 })
  kind!: FileKind;

  /** The job that produced an output file. */
  @Column({ type: 'uuid', nullable: true })
  jobId!: string | null;

  @ManyToOne(() => AiJob, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'job_id', foreignKeyConstraintName: 'files_job_id_fkey' })
  job?: AiJob;

  @Column({ type: 'varchar', length: 300 })
  storageKey!: string;

  @Column({ type: 'varchar', length: 64 })
  contentType!: string;

  @Column({ type: 'integer' })
  bytes!: number;

  @Column({ type: 'integer' })
  width!: number;

  @Column({ type: 'integer' })
  height!: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
