import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { metricsRegistry } from '../../metrics/metrics-registry';
import type { MetricsSource } from '../../metrics/metrics-source';

const pending = new Gauge({
  name: 'jewelshot_events_outbox_pending',
  help: 'Committed domain events not yet dispatched',
  registers: [metricsRegistry],
});

const lag = new Gauge({
  name: 'jewelshot_events_outbox_lag_seconds',
  help: 'Age of the oldest committed domain event not yet dispatched (0: none waits)',
  registers: [metricsRegistry],
});

/**
 * The outbox's lag, read on scrape in the worker (the API may only insert events). One query
 * on the partial index of undispatched events.
 */
@Injectable()
export class EventsOutboxMetrics implements MetricsSource {
  readonly name = 'events-outbox';

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async collect(): Promise<void> {
    const [row] = (await this.dataSource.query(
      `SELECT count(*)::int AS n, COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float8 AS age
         FROM domain_events WHERE dispatched_at IS NULL`,
    )) as Array<{ n: number; age: number }>;
    pending.set(row?.n ?? 0);
    lag.set(Math.max(0, row?.age ?? 0));
  }
}
