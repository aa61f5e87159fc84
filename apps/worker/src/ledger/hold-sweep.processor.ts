import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { HOLD_ACTIVITY, LEDGER_QUEUE, LedgerJob, LedgerService, type HoldActivity } from '@jewelshot/credit-ledger';
import { APP_CONFIG, type AppConfig } from '@jewelshot/platform';

/**
 * Every HOLD_SWEEP_INTERVAL_MS (a BullMQ job scheduler, so one run per interval however many
 * workers there are), expires pending holds past their time that nothing is working on.
 */
@Processor(LEDGER_QUEUE)
export class HoldSweepProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(HoldSweepProcessor.name);

  constructor(
    private readonly ledger: LedgerService,
    @Inject(HOLD_ACTIVITY) private readonly activity: HoldActivity,
    @InjectQueue(LEDGER_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.upsertJobScheduler(
      LedgerJob.ExpireHolds,
      { every: this.config.HOLD_SWEEP_INTERVAL_MS },
      { name: LedgerJob.ExpireHolds, opts: { removeOnComplete: 100, removeOnFail: 100 } },
    );
  }

  async process(job: Job): Promise<{ expired: number; skipped: number }> {
    if (job.name !== LedgerJob.ExpireHolds) throw new Error(`${LEDGER_QUEUE} has no handler for job ${job.name}`);
    const result = await this.ledger.expireStale((references) => this.activity.stillActive(references));
    if (result.expired > 0) this.logger.log(`expired ${result.expired} hold(s)`);
    return result;
  }
}
