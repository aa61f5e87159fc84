import { Inject, Injectable, Optional } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { PLATFORM_CONFIG, type PlatformConfig } from '../config/platform.config';
import { RateLimiterHealth } from '../rate-limit/rate-limiter-health';
import { REDIS } from '../redis/redis';
import { scheduleKey } from '../schedule/schedule-runner';
import { RECONCILE_SCHEDULE } from '../schedule/schedules.module';
import { describeBackupStatus } from './backup-status';
import { readHeartbeats } from './heartbeat';
import { portProviders } from '../ports';
import {
  describeQueue,
  QUEUE_HEALTH,
  type QueueHealth,
  type QueueHealthFigures,
} from './queue-health';

export interface ServiceCheck {
  ok: boolean;
  detail: string;
  latencyMs: number;
}

export interface HealthReport {
  /**
   * degraded: every service answers, but the safety net (reconcile) is overdue, or this API
   * process's rate limiter is failing open.
   */
  status: 'healthy' | 'degraded' | 'unhealthy';
  timestamp: number;
  version: string;
  services: { database: boolean; redis: boolean; worker: boolean };
  details: {
    database: string;
    redis: string;
    worker: string;
    reconcile: string;
    /** API processes only: `Enforcing`, or `Degraded: failing open since ...`. */
    rateLimiter?: string;
    /** How the scheduled backups went (see BACKUP_CRON). */
    backup: string;
    /** What waits in the AI queue: `Active - Queue: 5 waiting (oldest 12 s), 2 running`. */
    queue?: string;
  };
  /** The AI queue's figures (absent when it could not be read). */
  queue?: QueueHealthFigures;
}

/** A failure whose message is ours and safe to show on the public /health page. */
class CheckFailed extends Error {}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CheckFailed(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

async function measure(
  work: () => Promise<string>,
  ms: number,
  what: string,
): Promise<ServiceCheck> {
  const started = performance.now();
  try {
    const detail = await withTimeout(work(), ms, what);
    return { ok: true, detail, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    const message = error instanceof CheckFailed ? error.message : `${what} unreachable`;
    return { ok: false, detail: message, latencyMs: Math.round(performance.now() - started) };
  }
}

/** Checks the services the system needs; every check has a timeout and none can throw. */
/** How long no request may have failed open before a ping that Redis answers ends a spell. */
const LIMITER_QUIET_MS = 5000;

@Injectable()
export class HealthService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
    private readonly moduleRef: ModuleRef,
    @Optional() private readonly rateLimiter?: RateLimiterHealth,
  ) {}

  database(): Promise<ServiceCheck> {
    return measure(
      async () => {
        await this.dataSource.query('SELECT 1');
        return 'Connected';
      },
      this.config.HEALTH_CHECK_TIMEOUT_MS,
      'PostgreSQL',
    );
  }

  redisPing(): Promise<ServiceCheck> {
    return measure(
      async () => {
        if (this.redis.status !== 'ready')
          throw new CheckFailed(`Redis connection is ${this.redis.status}`);
        await this.redis.ping();
        return 'Connected';
      },
      this.config.HEALTH_CHECK_TIMEOUT_MS,
      'Redis',
    );
  }

  /** Whether Redis takes a write now (a key of its own, gone in a second). */
  private async redisWrites(): Promise<boolean> {
    const check = await measure(
      async () => {
        await this.redis.set('health:limiter-write', '1', 'PX', 1000);
        return 'Writable';
      },
      this.config.HEALTH_CHECK_TIMEOUT_MS,
      'Redis write',
    );
    return check.ok;
  }

  worker(): Promise<ServiceCheck> {
    return measure(
      async () => {
        if (this.redis.status !== 'ready') throw new CheckFailed('Unknown: Redis is unreachable');
        const beats = await readHeartbeats(this.redis);
        if (beats.length === 0) throw new CheckFailed('No worker heartbeat');
        return `Active - ${beats.length} worker(s)`;
      },
      this.config.HEALTH_CHECK_TIMEOUT_MS,
      'Worker heartbeat',
    );
  }

  /**
   * When the reconciler last succeeded (recorded in PostgreSQL by the worker's schedule runner).
   * Overdue past 2 x RECONCILE_INTERVAL_MS + RECONCILE_GRACE_MS: queued jobs and held credits
   * may be stuck. Never run at all is not overdue: no worker has started (the worker check says so);
   * nor is a first run still going, within that limit.
   */
  reconcile(): Promise<ServiceCheck> {
    const overdueAfterMs = 2 * this.config.RECONCILE_INTERVAL_MS + this.config.RECONCILE_GRACE_MS;
    return measure(
      async () => {
        const [run] = (await this.dataSource.query(
          `SELECT last_succeeded_at, last_error,
                  (extract(epoch FROM now() - last_succeeded_at) * 1000)::bigint AS age_ms,
                  last_finished_at IS NULL
                    AND now() - last_started_at <= make_interval(secs => $2::int / 1000.0)
                    AS first_run_going
             FROM schedule_runs WHERE name = $1`,
          [scheduleKey(this.config, RECONCILE_SCHEDULE), overdueAfterMs],
        )) as Array<{
          last_succeeded_at: Date | null;
          last_error: string | null;
          age_ms: string | null;
          first_run_going: boolean;
        }>;
        if (!run) return 'Never ran';
        if (!run.last_succeeded_at || run.age_ms === null) {
          // A worker that has just started is in its first run: not overdue until that run
          // ends without success or takes longer than the overdue limit.
          if (run.first_run_going) return 'First run in progress';
          throw new CheckFailed('Overdue: never succeeded');
        }
        const ageSeconds = Math.round(Number(run.age_ms) / 1000);
        const when = `last ran at ${run.last_succeeded_at.toISOString()} (${ageSeconds} s ago)`;
        if (Number(run.age_ms) > overdueAfterMs)
          throw new CheckFailed(
            `Overdue: ${when}${run.last_error ? '; the latest run failed' : ''}`,
          );
        return `OK: ${when}`;
      },
      this.config.HEALTH_CHECK_TIMEOUT_MS,
      'Reconcile record',
    );
  }

  /**
   * The worker's scheduled backups (BACKUP_CRON): the last success and the failures counted.
   * Informational: a failing backup does not make the service unhealthy, it makes this say so.
   */
  backup(): Promise<ServiceCheck> {
    return measure(
      async () => {
        if (this.redis.status !== 'ready') throw new CheckFailed('Unknown: Redis is unreachable');
        return describeBackupStatus(this.redis);
      },
      this.config.HEALTH_CHECK_TIMEOUT_MS,
      'Backup record',
    );
  }

  /**
   * The queue's figures (QUEUE_HEALTH port), within the check timeout. Informational: a queue
   * that cannot be read says so and does not change the status (the database check does).
   */
  async queue(): Promise<{ check: ServiceCheck; figures?: QueueHealthFigures }> {
    const [source] = portProviders<QueueHealth>(this.moduleRef, QUEUE_HEALTH);
    if (!source) return { check: { ok: true, detail: 'No queue', latencyMs: 0 } };
    let figures: QueueHealthFigures | undefined;
    const check = await measure(
      async () => {
        figures = await source.queueHealth();
        return describeQueue(figures);
      },
      this.config.HEALTH_CHECK_TIMEOUT_MS,
      'Queue figures',
    );
    return { check, figures: check.ok ? figures : undefined };
  }

  /** The round of checks under way, which callers arriving meanwhile share. */
  private reporting?: Promise<HealthReport>;
  private readying?: Promise<{ ready: boolean; database: ServiceCheck; redis: ServiceCheck }>;

  /**
   * The whole report. Callers that arrive while a round of checks is under way share it: the
   * route is public and never rate-limited (monitors must reach it), and a round reads PostgreSQL
   * and Redis several times, so 100 probes at once cost one round, not 100 (a burst of them
   * made every other request 30 times slower).
   */
  report(version: string): Promise<HealthReport> {
    this.reporting ??= this.checkAll(version).finally(() => (this.reporting = undefined));
    return this.reporting;
  }

  private async checkAll(version: string): Promise<HealthReport> {
    const [database, redis, worker, reconcile, backup, queue] = await Promise.all([
      this.database(),
      this.redisPing(),
      this.worker(),
      this.reconcile(),
      this.backup(),
      this.queue(),
    ]);
    const up = database.ok && redis.ok && worker.ok;
    // A limiter that failed open while Redis was away is enforcing again once Redis takes a
    // write as the limiter's own calls do (a ping is a read: an out-of-memory, read-only or
    // failed-save Redis answers it and refuses every count) and no request has failed open for
    // a while; else an idle API stayed "degraded" for good.
    if (redis.ok && this.rateLimiter?.degraded && (await this.redisWrites()))
      this.rateLimiter.quietSince(LIMITER_QUIET_MS);
    const limiterDegraded = this.rateLimiter?.degraded ?? false;
    return {
      status: !up ? 'unhealthy' : reconcile.ok && !limiterDegraded ? 'healthy' : 'degraded',
      timestamp: Date.now(),
      version,
      services: { database: database.ok, redis: redis.ok, worker: worker.ok },
      details: {
        database: database.detail,
        redis: redis.detail,
        worker: worker.detail,
        reconcile: reconcile.detail,
        backup: backup.detail,
        queue: queue.check.detail,
        ...(this.rateLimiter ? { rateLimiter: this.rateLimiter.detail() } : {}),
      },
      ...(queue.figures ? { queue: queue.figures } : {}),
    };
  }

  /**
   * Ready to take traffic: the database and Redis answer (a worker may still be starting).
   * Shared by concurrent callers, as report() is.
   */
  ready(): Promise<{ ready: boolean; database: ServiceCheck; redis: ServiceCheck }> {
    this.readying ??= Promise.all([this.database(), this.redisPing()])
      .then(([database, redis]) => ({ ready: database.ok && redis.ok, database, redis }))
      .finally(() => (this.readying = undefined));
    return this.readying;
  }
}
