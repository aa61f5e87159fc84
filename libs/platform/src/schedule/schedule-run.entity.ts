import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The last run of each maintenance schedule (reconcile, hold sweep, ...), shared by every worker:
 * the claim that makes one run per interval across workers, and what /health reads to tell
 * whether the safety net still runs. In PostgreSQL, so a Redis that loses its data loses nothing.
 */
@Entity({ name: 'schedule_runs' })
export class ScheduleRun {
  /** The schedule's name under the deployment's REDIS_KEY_PREFIX (see scheduleKey). */
  @PrimaryColumn({ type: 'varchar', length: 200, primaryKeyConstraintName: 'schedule_runs_pkey' })
  name!: string;

  /** The interval of the worker that claimed the last run. */
  @Column({ type: 'integer' })
  intervalMs!: number;

  @Column({ type: 'timestamptz' })
  lastStartedAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  lastFinishedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastSucceededAt!: Date | null;

  @Column({ type: 'integer', nullable: true })
  lastDurationMs!: number | null;

  /** Why the last run failed; null when it succeeded. */
  @Column({ type: 'varchar', length: 500, nullable: true })
  lastError!: string | null;

  @Column({ type: 'integer', default: 0 })
  runs!: number;
}
