import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * The process's one Prometheus registry. Each lib declares its own families on it (in a
 * `*.metrics.ts` beside its code, `registers: [metricsRegistry]`); `/metrics` renders it.
 *
 * Naming (https://prometheus.io/docs/practices/naming/): `jewelshot_` prefix, the unit in the
 * name (`_seconds`), `_total` on counters. Labels take values from small, fixed sets only
 * (route templates, operations, priorities, policies, outcomes, error codes): never a user id,
 * a job id or a raw path (test/e2e/metrics.e2e-spec.ts checks the whole registry).
 */
export const metricsRegistry = new Registry();

// Node runtime metrics (event-loop lag, heap, GC, CPU, file descriptors), once per process.
collectDefaultMetrics({ register: metricsRegistry });

/** Buckets (seconds) for work that takes milliseconds: HTTP requests, ledger operations. */
export const FAST_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** Buckets (seconds) for work that takes seconds: AI jobs, provider calls. */
export const SLOW_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/** Seconds since `started` (a `performance.now()` reading). */
export function secondsSince(started: number): number {
  return (performance.now() - started) / 1000;
}
