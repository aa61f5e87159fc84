import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { AI_MAINTENANCE_QUEUE, AiJobName } from '@jewelshot/ai-jobs';
import { LEDGER_QUEUE, LedgerJob } from '@jewelshot/credit-ledger';

/**
 * The reconcile and hold-sweep schedules used to be BullMQ job schedulers; they now run from
 * MaintenanceSchedules. A Redis that still holds the old schedulers would keep adding jobs no
 * processor takes, so the worker removes them once at start-up, in the background (the BullMQ
 * connection waits forever for a Redis that is down, and start-up must not).
 */
@Injectable()
export class RetiredSchedulers implements OnApplicationBootstrap {
  private readonly logger = new Logger(RetiredSchedulers.name);

  constructor(
    @InjectQueue(AI_MAINTENANCE_QUEUE) private readonly maintenance: Queue,
    @InjectQueue(LEDGER_QUEUE) private readonly ledger: Queue,
  ) {}

  onApplicationBootstrap(): void {
    const retired: Array<[Queue, string]> = [
      [this.maintenance, AiJobName.Reconcile],
      [this.ledger, LedgerJob.ExpireHolds],
    ];
    for (const [queue, scheduler] of retired) {
      void queue
        .removeJobScheduler(scheduler)
        .then(
          (removed) =>
            removed &&
            this.logger.log(`removed the retired BullMQ scheduler ${queue.name}/${scheduler}`),
        )
        .catch(() => undefined);
    }
  }
}
