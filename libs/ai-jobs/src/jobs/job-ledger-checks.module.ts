import { Module } from '@nestjs/common';
import { LEDGER_CHECKS, type LedgerCheck } from '@jewelshot/credit-ledger';

/** What the ledger verifier also checks once there are jobs: every job paid exactly as it ended. */
export const JOB_LEDGER_CHECKS: LedgerCheck[] = [
  {
    name: 'every succeeded job has a posted hold',
    sql: `SELECT j.id::text AS subject, 'succeeded job, hold ' || COALESCE(h.status, 'missing') AS detail
            FROM ai_jobs j LEFT JOIN credit_holds h ON h.id = j.hold_id
           WHERE j.status = 'succeeded' AND (h.status IS DISTINCT FROM 'posted')`,
  },
  {
    name: 'every failed or canceled job has a released hold',
    sql: `SELECT j.id::text AS subject, j.status || ' job, hold ' || COALESCE(h.status, 'missing') AS detail
            FROM ai_jobs j LEFT JOIN credit_holds h ON h.id = j.hold_id
           WHERE j.status IN ('failed', 'canceled') AND (h.status IS NULL OR h.status NOT IN ('voided', 'expired'))`,
  },
  {
    name: "every job's hold is for that job and its cost",
    sql: `SELECT j.id::text AS subject, 'hold reference ' || COALESCE(h.reference, 'missing') || ', amount ' || COALESCE(h.amount::text, '-') || ', cost ' || j.cost AS detail
            FROM ai_jobs j LEFT JOIN credit_holds h ON h.id = j.hold_id
           WHERE h.id IS NULL OR h.reference <> j.id::text OR h.amount <> j.cost OR h.user_id <> j.user_id`,
  },
];

/** Provides the AI jobs' checks to the ledger verifier (the LEDGER_CHECKS port). */
@Module({ providers: [{ provide: LEDGER_CHECKS, useValue: JOB_LEDGER_CHECKS }] })
export class JobLedgerChecksModule {}
