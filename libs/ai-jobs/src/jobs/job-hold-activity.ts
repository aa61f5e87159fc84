import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { HoldActivity } from '@jewelshot/credit-ledger';
import { isUuid } from '@jewelshot/platform';

/** A hold's reference is its job's id: the job is still being worked on while queued or running. */
@Injectable()
export class JobHoldActivity implements HoldActivity {
  constructor(
    // Asked by the hold sweeper before its per-hold transactions, over every user's jobs: a
    // plain read on the worker's pool, joining no caller's transaction or row scope.
    @InjectDataSource() private readonly outsideCallerTransaction: DataSource,
  ) {}

  async stillActive(references: string[]): Promise<Set<string>> {
    const uuids = references.filter((reference) => isUuid(reference));
    if (uuids.length === 0) return new Set();
    const rows = (await this.outsideCallerTransaction.query(
      `SELECT id::text AS id FROM ai_jobs WHERE id = ANY($1::uuid[]) AND status IN ('queued', 'running')`,
      [uuids],
    )) as Array<{ id: string }>;
    return new Set(rows.map((row) => row.id));
  }
}
