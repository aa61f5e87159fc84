import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, OnApplicationBootstrap } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { AI_MAINTENANCE_QUEUE, AiJobName, Reconciler, type ReconcileReport } from '@jewelshot/ai-jobs';
import { APP_CONFIG, type AppConfig } from '@jewelshot/platform';

/** Runs the reconciler every RECONCILE_INTERVAL_MS (one run per interval across all workers). */
@Processor(AI_MAINTENANCE_QUEUE)
export class AiMaintenanceProcessor extends WorkerHost implements OnApplicationBootstrap {
  constructor(
    private readonly reconciler: Reconciler,
    @InjectQueue(AI_MAINTENANCE_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.upsertJobScheduler(
      AiJobName.Reconcile,
      { every: this.config.RECONCILE_INTERVAL_MS },
      { name: AiJobName.Reconcile, opts: { removeOnComplete: 100, removeOnFail: 100 } },
    );
  }

  async process(job: Job): Promise<ReconcileReport> {
    if (job.name !== AiJobName.Reconcile) throw new Error(`${AI_MAINTENANCE_QUEUE} has no handler for ${job.name}`);
    return this.reconciler.reconcile();
  }
}
