import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { OrphanFiles, Reconciler } from '@jewelshot/ai-jobs';
import { AuditAnchors } from '@jewelshot/audit';
import { LedgerService, LedgerVerifier } from '@jewelshot/credit-ledger';
import { IdentityRetention } from '@jewelshot/identity';
import { RECONCILE_SCHEDULE, ScheduleRunner } from '@jewelshot/platform';
import { WebhookHistory } from '@jewelshot/webhooks';
import { WORKER_CONFIG, type WorkerConfig } from '../worker.config';

export const HOLD_SWEEP_SCHEDULE = 'expire-holds';
export const ORPHAN_SWEEP_SCHEDULE = 'orphan-files';
export const AUDIT_ANCHOR_SCHEDULE = 'audit-anchor';
export const WEBHOOK_HISTORY_SCHEDULE = 'webhook-history';
export const LEDGER_VERIFY_SCHEDULE = 'ledger-verify';
export const IDENTITY_RETENTION_SCHEDULE = 'identity-retention';

/** Violations named in the log line of a failed scheduled verification (all are counted). */
const VIOLATIONS_LOGGED = 20;

const DAY_MS = 86_400_000;

/**
 * The safety net, run from timers in the worker and claimed in PostgreSQL (ScheduleRunner), so
 * it keeps running when Redis loses its data: the reconciler puts lost jobs back in the queue,
 * the hold sweeper expires pending holds nothing is working on, the orphan sweep deletes stored
 * bytes no file row points at; with AUDIT_ANCHOR_DIR set, the audit chain's head is anchored
 * there once a day; webhook events and delivery attempts past WEBHOOK_KEEP_DAYS are deleted
 * daily, and so are refresh tokens, sessions and mailed links' tokens past use (IdentityRetention);
 * every LEDGER_VERIFY_INTERVAL_MS the ledger verifier checks every invariant and reports
 * in /metrics (the verifier alerts read it) and, on a violation, in an error log line.
 */
@Injectable()
export class MaintenanceSchedules implements OnApplicationBootstrap {
  private readonly logger = new Logger(MaintenanceSchedules.name);

  constructor(
    private readonly runner: ScheduleRunner,
    private readonly reconciler: Reconciler,
    private readonly orphans: OrphanFiles,
    private readonly ledger: LedgerService,
    private readonly verifier: LedgerVerifier,
    private readonly anchors: AuditAnchors,
    private readonly webhookHistory: WebhookHistory,
    private readonly identityRetention: IdentityRetention,
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
    this.runner.every(WEBHOOK_HISTORY_SCHEDULE, DAY_MS, async () => {
      const pruned = await this.webhookHistory.prune();
      if (pruned.deliveries + pruned.events > 0)
        this.logger.log(
          `deleted ${pruned.events} webhook event(s) and ${pruned.deliveries} delivery attempt(s)`,
        );
    });
    this.runner.every(IDENTITY_RETENTION_SCHEDULE, DAY_MS, async () => {
      const pruned = await this.identityRetention.prune();
      if (pruned.refreshTokens + pruned.sessions + pruned.userTokens > 0)
        this.logger.log(
          `deleted ${pruned.refreshTokens} expired refresh token(s), ${pruned.sessions} ended session(s) and ${pruned.userTokens} spent link token(s)`,
        );
    });
    if (this.anchors.enabled)
      this.runner.every(AUDIT_ANCHOR_SCHEDULE, DAY_MS, () => this.anchors.anchor());
    if (this.config.LEDGER_VERIFY_INTERVAL_MS > 0)
      this.runner.every(LEDGER_VERIFY_SCHEDULE, this.config.LEDGER_VERIFY_INTERVAL_MS, () =>
        this.verifyLedger(),
      );
  }

  private async verifyLedger(): Promise<void> {
    const report = await this.verifier.verify();
    if (report.violations.length === 0) return;
    this.logger.error(
      {
        violations: report.violations.length,
        first: report.violations.slice(0, VIOLATIONS_LOGGED),
      },
      'ledger verification found violations: run npm run ledger:verify (docs/ledger.md)',
    );
  }

  private async expireHolds(): Promise<void> {
    // The ledger asks the HOLD_ACTIVITY port (the AI jobs) which holds are still worked on.
    const result = await this.ledger.expireStale();
    if (result.expired > 0) this.logger.log(`expired ${result.expired} hold(s)`);
  }
}
