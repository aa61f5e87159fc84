import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { OrphanFiles, Reconciler } from '@jewelshot/ai-jobs';
import { LedgerService } from '@jewelshot/credit-ledger';
import { RECONCILE_SCHEDULE, ScheduleRunner } from '@jewelshot/platform';
import { WORKER_CONFIG, type WorkerConfig } from '../worker.config';

export const HOLD_SWEEP_SCHEDULE = 'expire-holds';
export const ORPHAN_SWEEP_SCHEDULE = 'orphan-files';

/**
 * The safety net, run from timers in the worker and claimed in PostgreSQL (ScheduleRunner), so
 * it keeps running when Redis loses its data: the reconciler puts lost jobs back in the queue,
 * the hold sweeper expires pending holds nothing is working on, the orphan sweep deletes stored
 * bytes no file row points at.
 */
@Injectable()
export class MaintenanceSchedules implements OnApplicationBootstrap {
  private readonly logger = new Logger(MaintenanceSchedules.name);

  constructor(
    private readonly runner: ScheduleRunner,
    private readonly reconciler: Reconciler,
    private readonly orphans: OrphanFiles,
    private readonly ledger: LedgerService,
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.runner.every(RECONCILE_SCHEDULE, this.config.RECONCILE_INTERVAL_MS, () =>
      this.reconciler.reconcile(),
    );
    this.runner.every(HOLD_SWEEP_SCHEDULE, this.config.HOLD_SWEEP_INTERVAL_MS, () =>
      this.expireHolds(),
    );
    this.runner.every(ORPHAN_SWEEP_SCHEDULE, this.config.ORPHAN_SWEEP_INTERVAL_MS, () =>
      this.orphans.sweep(),
    );
  }

  private async expireHolds(): Promise<void> {
    // The ledger asks the HOLD_ACTIVITY port (the AI jobs) which holds are still worked on.
    const result = await this.ledger.expireStale();
    if (result.expired > 0) this.logger.log(`expired ${result.expired} hold(s)`);
  }
}
