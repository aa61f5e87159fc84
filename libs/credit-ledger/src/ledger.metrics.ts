import { Counter, Gauge, Histogram } from 'prom-client';
import { DomainError, FAST_BUCKETS, metricsRegistry, secondsSince } from '@jewelshot/platform';

export type LedgerOperation = 'reserve' | 'confirm' | 'refund' | 'expire' | 'grant' | 'adjust';

const operationDuration = new Histogram({
  name: 'jewelshot_ledger_operation_duration_seconds',
  help: 'Ledger operations (lock, check, write; the commit is the caller transaction’s), by operation and outcome (`ok` or the error code)',
  labelNames: ['operation', 'outcome'] as const,
  buckets: FAST_BUCKETS,
  registers: [metricsRegistry],
});

export const holdsPending = new Gauge({
  name: 'jewelshot_ledger_holds_pending',
  help: 'Credit holds still pending (reserved, neither charged nor released)',
  registers: [metricsRegistry],
});

export const oldestPendingHold = new Gauge({
  name: 'jewelshot_ledger_oldest_pending_hold_age_seconds',
  help: 'Age of the oldest pending credit hold (0: none)',
  registers: [metricsRegistry],
});

/** Times one ledger operation; the outcome is `ok`, a domain error's code, or `error`. */
export async function measured<T>(operation: LedgerOperation, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  let outcome = 'error';
  try {
    const result = await work();
    outcome = 'ok';
    return result;
  } catch (error) {
    if (error instanceof DomainError) outcome = error.code;
    throw error;
  } finally {
    operationDuration.observe({ operation, outcome }, secondsSince(started));
  }
}

const verifierRuns = new Counter({
  name: 'jewelshot_ledger_verifier_runs_total',
  help: 'Ledger verifications run in this process, by outcome (`clean` or `violations`)',
  labelNames: ['outcome'] as const,
  registers: [metricsRegistry],
});

const verifierViolations = new Gauge({
  name: 'jewelshot_ledger_verifier_violations',
  help: 'Violations the last ledger verification in this process found',
  registers: [metricsRegistry],
});

const verifierLastRun = new Gauge({
  name: 'jewelshot_ledger_verifier_last_run_timestamp_seconds',
  help: 'When the last ledger verification in this process finished (Unix time; 0: none yet)',
  registers: [metricsRegistry],
});

export function recordVerification(violations: number): void {
  verifierRuns.inc({ outcome: violations === 0 ? 'clean' : 'violations' });
  verifierViolations.set(violations);
  verifierLastRun.set(Date.now() / 1000);
}
