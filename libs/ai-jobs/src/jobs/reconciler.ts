import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AI_JOBS_CONFIG, type AiJobsConfig } from '../ai-jobs.config';
import type { Priority } from './ai-job.entity';
import { JobQueue } from './job-queue';
import { JobRunner } from './job-runner';
import { JobSignals } from './job-signals';
import { JobTransitions } from './job-transitions';

export interface ReconcileReport {
  requeued: number;
  failedStuck: number;
  idempotencyKeysDeleted: number;
}

const BATCH = 500;

/**
 * Makes the queue agree with the database, every RECONCILE_INTERVAL_MS:
 * - a `queued` job with no live BullMQ job (a crash between commit and enqueue, a Redis that
 *   lost its data) is enqueued again;
 * - a `running` job whose BullMQ job is gone is put back in the queue (it resumes its provider
 *   request), and one running past JOB_RUNNING_DEADLINE_MS is failed and refunded;
 * - idempotency keys older than 24 h are deleted.
 */
@Injectable()
export class Reconciler {
  private readonly logger = new Logger(Reconciler.name);

  constructor(
    // Its scans read every job in one statement each and join no caller's transaction; the
    // repairs go through JobTransitions (and the runner) on the transaction host.
    @InjectDataSource() private readonly outsideCallerTransaction: DataSource,
    private readonly queue: JobQueue,
    private readonly runner: JobRunner,
    private readonly signals: JobSignals,
    private readonly transitions: JobTransitions,
    @Inject(AI_JOBS_CONFIG) private readonly config: AiJobsConfig,
  ) {}

  private async hasLiveQueueJob(jobId: string): Promise<boolean> {
    const job = await this.queue.queue.getJob(jobId);
    if (!job) return false;
    const state = await job.getState();
    if (state === 'completed' || state === 'failed' || state === 'unknown') {
      await job.remove().catch(() => undefined);
      return false;
    }
    return true;
  }

  async reconcile(): Promise<ReconcileReport> {
    const grace = `${this.config.RECONCILE_GRACE_MS} milliseconds`;
    const report: ReconcileReport = { requeued: 0, failedStuck: 0, idempotencyKeysDeleted: 0 };

    const stuck = (await this.outsideCallerTransaction.query(
      `SELECT id FROM ai_jobs WHERE status = 'running' AND updated_at < now() - $1::interval ORDER BY updated_at LIMIT ${BATCH}`,
      [`${this.config.JOB_RUNNING_DEADLINE_MS} milliseconds`],
    )) as Array<{ id: string }>;
    for (const { id } of stuck) {
      // Failed first, then its worker told to stop: told first, the worker could end it as a
      // cancel nobody asked for before this commits (a stop after the end changes nothing).
      const failed = await this.runner.finish(id, 'failed', {
        code: 'DEADLINE_EXCEEDED',
        message: 'The job ran past its deadline and was stopped',
      });
      if (!failed) continue;
      report.failedStuck += 1;
      await this.signals.requestCancel(id);
    }

    const candidates = (await this.outsideCallerTransaction.query(
      `SELECT id, priority, status FROM ai_jobs
        WHERE status IN ('queued', 'running') AND updated_at < now() - $1::interval
        ORDER BY updated_at LIMIT ${BATCH}`,
      [grace],
    )) as Array<{ id: string; priority: Priority; status: 'queued' | 'running' }>;
    const lost: Array<{ id: string; priority: Priority }> = [];
    for (const job of candidates) {
      if (await this.hasLiveQueueJob(job.id)) continue;
      if (job.status === 'running') {
        await this.transitions.reconcile(job.id);
      }
      lost.push(job);
    }
    if (lost.length > 0 && (await this.queue.enqueue(lost))) report.requeued = lost.length;

    // A SELECT over the DELETE: TypeORM hands back a bare DELETE's result as [rows, rowCount],
    // whose length is always 2, whereas a SELECT's rows are what they say.
    const [deleted] = (await this.outsideCallerTransaction.query(
      `WITH gone AS (DELETE FROM idempotency_keys WHERE created_at < now() - interval '24 hours' RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
    )) as Array<{ n: number }>;
    report.idempotencyKeysDeleted = deleted?.n ?? 0;

    if (report.requeued || report.failedStuck || report.idempotencyKeysDeleted) {
      this.logger.log(
        `reconcile: re-enqueued ${report.requeued}, failed stuck ${report.failedStuck}, expired idempotency keys ${report.idempotencyKeysDeleted}`,
      );
    }
    return report;
  }
}
