import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { Gauge } from 'prom-client';
import {
  metricsRegistry,
  RowScope,
  type MetricsSource,
  type QueueHealth,
  type QueueHealthFigures,
} from '@jewelshot/platform';
import { AI_QUEUE } from '../ai.queue';
import { PRIORITIES, type Priority } from './ai-job.entity';
import { JobQueue } from './job-queue';

export interface PriorityFigures {
  waiting: number;
  active: number;
  /** Seconds the oldest queued job of this priority has waited since it was submitted (null: none waits). */
  oldestWaitingSeconds: number | null;
}

const waitingJobs = new Gauge({
  name: 'jewelshot_queue_waiting_jobs',
  help: 'Jobs waiting (queued in the database, retries in backoff included), by queue and priority',
  labelNames: ['queue', 'priority'] as const,
  registers: [metricsRegistry],
});

const oldestWaiting = new Gauge({
  name: 'jewelshot_queue_oldest_waiting_age_seconds',
  help: 'Age of the oldest waiting job (0: none waits), by queue and priority',
  labelNames: ['queue', 'priority'] as const,
  registers: [metricsRegistry],
});

const activeJobs = new Gauge({
  name: 'jewelshot_queue_active_jobs',
  help: 'Jobs a worker is running, by queue and priority',
  labelNames: ['queue', 'priority'] as const,
  registers: [metricsRegistry],
});

const bullJobs = new Gauge({
  name: 'jewelshot_queue_jobs',
  help: "BullMQ's own count of the queue's jobs per state",
  labelNames: ['queue', 'state'] as const,
  registers: [metricsRegistry],
});

/**
 * What waits and what runs in the AI queue, per priority, from the ai_jobs rows (the truth;
 * one grouped query on the partial index of active jobs). Read on scrape for /metrics and on
 * each /health report (the QUEUE_HEALTH port).
 */
@Injectable()
export class QueueFigures implements MetricsSource, QueueHealth {
  readonly name = 'ai-jobs';

  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly scope: RowScope,
    private readonly jobs: JobQueue,
  ) {}

  async byPriority(): Promise<Record<Priority, PriorityFigures>> {
    const rows = await this.scope.allUsers(
      async () =>
        (await this.txHost.tx.query(
          `SELECT priority, status, count(*)::int AS n,
                  EXTRACT(EPOCH FROM now() - min(created_at))::float8 AS age
             FROM ai_jobs WHERE status IN ('queued', 'running') GROUP BY priority, status`,
        )) as Array<{ priority: Priority; status: 'queued' | 'running'; n: number; age: number }>,
    );
    const figures = Object.fromEntries(
      PRIORITIES.map((p) => [p, { waiting: 0, active: 0, oldestWaitingSeconds: null }]),
    ) as Record<Priority, PriorityFigures>;
    for (const row of rows) {
      const entry = figures[row.priority];
      if (!entry) continue;
      if (row.status === 'running') entry.active = row.n;
      else {
        entry.waiting = row.n;
        entry.oldestWaitingSeconds = Math.max(0, Math.round(row.age));
      }
    }
    return figures;
  }

  async queueHealth(): Promise<QueueHealthFigures> {
    const figures = await this.byPriority();
    const all = Object.values(figures);
    const ages = all.flatMap((f) =>
      f.oldestWaitingSeconds === null ? [] : [f.oldestWaitingSeconds],
    );
    return {
      name: AI_QUEUE,
      waiting: all.reduce((sum, f) => sum + f.waiting, 0),
      active: all.reduce((sum, f) => sum + f.active, 0),
      oldestWaitingSeconds: ages.length > 0 ? Math.max(...ages) : null,
      byPriority: figures,
    };
  }

  async collect(): Promise<void> {
    const [figures, counts] = await Promise.all([
      this.byPriority(),
      this.jobs.queue.getJobCounts(),
    ]);
    for (const priority of PRIORITIES) {
      const f = figures[priority];
      waitingJobs.set({ queue: AI_QUEUE, priority }, f.waiting);
      activeJobs.set({ queue: AI_QUEUE, priority }, f.active);
      oldestWaiting.set({ queue: AI_QUEUE, priority }, f.oldestWaitingSeconds ?? 0);
    }
    for (const [state, n] of Object.entries(counts)) bullJobs.set({ queue: AI_QUEUE, state }, n);
  }
}
