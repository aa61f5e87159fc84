import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { RowScope, type MetricsSource } from '@jewelshot/platform';
import { holdsPending, oldestPendingHold } from '../ledger.metrics';

/** Pending holds and the oldest one's age, read on scrape (what the sweeper should be releasing). */
@Injectable()
export class HoldsMetrics implements MetricsSource {
  readonly name = 'ledger';

  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly scope: RowScope,
  ) {}

  async collect(): Promise<void> {
    const [row] = await this.scope.allUsers(
      async () =>
        (await this.txHost.tx.query(
          `SELECT count(*)::int AS n, COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float8 AS age
             FROM credit_holds WHERE status = 'pending'`,
        )) as Array<{ n: number; age: number }>,
    );
    holdsPending.set(row?.n ?? 0);
    oldestPendingHold.set(Math.max(0, row?.age ?? 0));
  }
}
