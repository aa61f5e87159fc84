/**
 * Port: a lib's gauges that are read on scrape (queue depths, pending holds, outbox lag), not
 * kept up to date on every change. Several libs provide it: `{ provide: METRICS_SOURCES,
 * useExisting: TheirSource }`. `collect()` sets the lib's gauges; it must not throw for long
 * (the scrape gives it METRICS_COLLECT_TIMEOUT_MS).
 */
export const METRICS_SOURCES = Symbol('METRICS_SOURCES');

export interface MetricsSource {
  /** For the error counter when collect() fails: a short fixed name (`ai-jobs`, `ledger`). */
  readonly name: string;
  collect(): Promise<void>;
}
