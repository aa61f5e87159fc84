import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { Gauge } from 'prom-client';
import { BACKUP_STATUS_KEY } from '../health/backup-status';
import { REDIS } from '../redis/redis';
import { metricsRegistry } from './metrics-registry';
import type { MetricsSource } from './metrics-source';

const backupLastSuccess = new Gauge({
  name: 'jewelshot_backup_last_success_timestamp_seconds',
  help: 'When the last scheduled backup succeeded (Unix time; 0: never)',
  registers: [metricsRegistry],
});

const backupFailuresSinceSuccess = new Gauge({
  name: 'jewelshot_backup_failures_since_success',
  help: 'Scheduled backups that failed since the last one that succeeded',
  registers: [metricsRegistry],
});

const backupScheduledSince = new Gauge({
  name: 'jewelshot_backup_scheduled_since_timestamp_seconds',
  help: 'When a worker first registered the backup schedule (Unix time; 0: no schedule, BACKUP_CRON=off)',
  registers: [metricsRegistry],
});

/** Platform's gauges read on scrape: how the scheduled backups went (the record /health reads). */
@Injectable()
export class PlatformMetrics implements MetricsSource {
  readonly name = 'platform';

  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async collect(): Promise<void> {
    const status = await this.redis.hgetall(BACKUP_STATUS_KEY);
    const at = status.lastSucceededAt ? Date.parse(status.lastSucceededAt) : NaN;
    backupLastSuccess.set(Number.isFinite(at) ? at / 1000 : 0);
    backupFailuresSinceSuccess.set(Number(status.failuresSinceSuccess ?? 0));
    const since = status.scheduledSince ? Date.parse(status.scheduledSince) : NaN;
    backupScheduledSince.set(Number.isFinite(since) ? since / 1000 : 0);
  }
}
