import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import type { AuditActor } from '@jewelshot/audit';
import { AI_QUEUE, JobQueue, PRIORITIES, type Priority } from '@jewelshot/ai-jobs';
import { readHeartbeats, REDIS, RowScope, type WorkerHeartbeat } from '@jewelshot/platform';
import { AdminActions } from './admin-actions';

export interface QueueStats {
  name: string;
  paused: boolean;
  /** BullMQ's count per state (waiting, active, delayed, failed, completed, paused, prioritized). */
  counts: Record<string, number>;
  /** Jobs queued in the database, per priority. */
  queuedByPriority: Record<Priority, number>;
  /** Seconds the oldest queued job has waited (null: none waits). */
  oldestWaitingSeconds: number | null;
  workers: WorkerHeartbeat[];
}

/**
 * Admin use cases on the AI queue: what waits and who works, pause and resume (paused jobs wait
 * in Redis and their rows stay queued: nothing is lost or charged), drain the failed list.
 */
@Injectable()
export class AdminQueues {
  constructor(
    private readonly actions: AdminActions,
    private readonly jobs: JobQueue,
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly scope: RowScope,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  async stats(): Promise<QueueStats> {
    const queue = this.jobs.queue;
    const [counts, paused, workers] = await Promise.all([
      queue.getJobCounts(),
      queue.isPaused(),
      readHeartbeats(this.redis),
    ]);
    const rows = await this.scope.allUsers(
      async () =>
        (await this.txHost.tx.query(
          `SELECT priority, count(*)::int AS n, EXTRACT(EPOCH FROM now() - min(created_at)) AS age
             FROM ai_jobs WHERE status = 'queued' GROUP BY priority`,
        )) as Array<{ priority: Priority; n: number; age: string | null }>,
    );
    const queuedByPriority = Object.fromEntries(PRIORITIES.map((p) => [p, 0])) as Record<
      Priority,
      number
    >;
    let oldest: number | null = null;
    for (const row of rows) {
      queuedByPriority[row.priority] = row.n;
      const age = row.age === null ? null : Math.round(Number(row.age));
      if (age !== null && (oldest === null || age > oldest)) oldest = age;
    }
    return {
      name: AI_QUEUE,
      paused,
      counts,
      queuedByPriority,
      oldestWaitingSeconds: oldest,
      workers,
    };
  }

  /**
   * A change of the queue in Redis, which does not roll back: made with the audit chain already
   * locked (AdminRunOptions), and a pause or resume is put back if its event does not commit.
   * Draining cannot be put back; what it removes is BullMQ's copy of jobs whose rows are
   * already failed and refunded.
   */
  private change(actor: AuditActor, action: string, reason: string, op: () => Promise<unknown>) {
    return this.actions.run(
      actor,
      { action, targetType: 'queue', targetId: AI_QUEUE, reason },
      async () => {
        // One queue change at a time, each held until its audit event commits: the chain's
        // order is the order the changes happened in, and each one's before/after is its own.
        await this.txHost.tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
          `admin-queue:${AI_QUEUE}`,
        ]);
        const queue = this.jobs.queue;
        const before = await queue.isPaused();
        const details = await op();
        const after = await queue.isPaused();
        return {
          result: undefined,
          before: { paused: before },
          after: { paused: after },
          details,
          undo: before === after ? undefined : () => (before ? queue.pause() : queue.resume()),
        };
      },
      { effectOutsideDatabase: true },
    );
  }

  /** Workers stop taking jobs; jobs submitted meanwhile wait. */
  pause(actor: AuditActor, reason: string): Promise<void> {
    return this.change(actor, 'queue.pause', reason, () => this.jobs.queue.pause());
  }

  resume(actor: AuditActor, reason: string): Promise<void> {
    return this.change(actor, 'queue.resume', reason, () => this.jobs.queue.resume());
  }

  /** Deletes BullMQ's failed jobs (their rows are already failed and refunded). */
  drainFailed(actor: AuditActor, reason: string): Promise<void> {
    return this.change(actor, 'queue.drain-failed', reason, async () => {
      const removed = await this.jobs.queue.clean(0, 10_000, 'failed');
      return { removed: removed.length };
    });
  }
}
