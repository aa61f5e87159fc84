import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { User } from '@jewelshot/identity';
import type { JobParams } from '../jobs/ai-job.entity';

/** Many images through one operation; its items are its jobs, created with it in one transaction. */
@Entity({ name: 'batches' })
@Index('batches_user_id_created_at_idx', ['userId', 'createdAt'])
export class Batch {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'batches_pkey' })
  id!: string;

  @Column({ type: 'uuid' })
  userId!: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'batches_user_id_fkey' })
  user?: User;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 32 })
  operation!: string;

  @Column({ type: 'jsonb' })
  params!: JobParams;

  @Column({ type: 'integer' })
  total!: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
