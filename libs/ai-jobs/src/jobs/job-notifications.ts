import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { EmailService } from '@jewelshot/email';
import { UsersService } from '@jewelshot/identity';
import { Events } from '@jewelshot/platform';
import { BatchFinished } from '../events/batch-finished';
import { JobEnded } from '../events/job-ended';
import type { AiJob } from './ai-job.entity';

/**
 * The mail a job's end sends, enqueued in the transaction that ends it (so it goes iff the end
 * commits): `job-failed` for a job that failed after its last attempt (a batch's jobs are
 * reported by the batch's mail instead), and `batch-finished` when the last open job of a batch
 * ends. Ends of one batch's jobs take a transaction-scoped advisory lock on the batch before
 * counting, so two last jobs ending at once see each other and the batch mail goes once.
 * The same transaction publishes `JobEnded` and `BatchFinished` (webhooks react to them): an
 * end that rolls back announces nothing.
 */
@Injectable()
export class JobNotifications {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly email: EmailService,
    private readonly users: UsersService,
    private readonly events: Events,
  ) {}

  /** Call inside the ending transaction, after the job's status is written. */
  async jobEnded(
    job: Pick<AiJob, 'id' | 'userId' | 'batchId' | 'operation' | 'cost'>,
    status: 'succeeded' | 'failed' | 'canceled',
    failure?: { code: string; message: string },
  ): Promise<void> {
    await this.events.publish(new JobEnded({ jobId: job.id, userId: job.userId, status }));
    if (status === 'failed' && !job.batchId) {
      const user = await this.users.findById(job.userId);
      if (user)
        await this.email.enqueue({
          template: 'job-failed',
          to: user.email,
          userId: user.id,
          language: user.language,
          data: {
            jobId: job.id,
            operation: job.operation,
            reasonCode: failure?.code,
            reason: failure?.message ?? 'the provider failed',
            refunded: job.cost,
          },
        });
    }
    if (job.batchId) await this.batchProgress(job.batchId, job.userId);
  }

  private async batchProgress(batchId: string, userId: string): Promise<void> {
    const tx = this.txHost.tx;
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
      `batch-finished:${batchId}`,
    ]);
    const [counts] = (await tx.query(
      `SELECT count(*) FILTER (WHERE status NOT IN ('succeeded', 'failed', 'canceled'))::int AS open,
              count(*) FILTER (WHERE status = 'succeeded')::int AS succeeded,
              count(*) FILTER (WHERE status = 'failed')::int AS failed,
              count(*) FILTER (WHERE status = 'canceled')::int AS canceled,
              count(*)::int AS total
         FROM ai_jobs WHERE batch_id = $1`,
      [batchId],
    )) as Array<{
      open: number;
      succeeded: number;
      failed: number;
      canceled: number;
      total: number;
    }>;
    if (!counts || counts.open > 0) return;
    await this.events.publish(
      new BatchFinished({
        batchId,
        userId,
        total: counts.total,
        succeeded: counts.succeeded,
        failed: counts.failed,
        canceled: counts.canceled,
      }),
    );
    const user = await this.users.findById(userId);
    if (!user) return;
    await this.email.enqueue({
      template: 'batch-finished',
      to: user.email,
      userId,
      language: user.language,
      data: { batchId, total: counts.total, succeeded: counts.succeeded, failed: counts.failed },
    });
  }
}
