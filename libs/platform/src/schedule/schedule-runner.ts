import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { PLATFORM_CONFIG, type PlatformConfig } from '../config/platform.config';
import { loggableError } from '../logging/loggable-error';

/**
 * The row of a schedule: its name under the deployment's REDIS_KEY_PREFIX, because what the
 * schedules tend (the queues) lives under that prefix; deployments sharing one database (test
 * runs) then keep their schedules apart.
 */
export function scheduleKey(
  config: Pick<PlatformConfig, 'REDIS_KEY_PREFIX'>,
  name: string,
): string {
  return `${config.REDIS_KEY_PREFIX}${name}`;
}

/** How long shutdown waits for a run in progress. */
const SHUTDOWN_WAIT_MS = 10_000;

interface Schedule {
  name: string;
  intervalMs: number;
  task: () => Promise<unknown>;
  timer?: NodeJS.Timeout;
  /** This process's run in progress: a run never overlaps its own previous one. */
  running?: Promise<void>;
}

/**
 * Timers in the process, one run per interval across all processes, with no Redis involved:
 * the safety net (reconcile, hold sweep) must keep running after Redis loses its data.
 *
 * Every quarter interval each process tries to claim the next run with one statement: an
 * upsert of its `schedule_runs` row that succeeds only once the interval has passed since the
 * last start (PostgreSQL's clock, so workers' clocks may differ). Of processes claiming at once,
 * the first commits the new start and the others, re-reading the row after its lock, find the
 * interval not yet passed.
 * The winner runs the task outside that transaction and records how it ended.
 * A run longer than its interval may overlap another process's next run: tasks must be safe
 * to run concurrently (ours lock the rows they change).
 */
@Injectable()
export class ScheduleRunner implements OnApplicationShutdown {
  private readonly logger = new Logger(ScheduleRunner.name);
  private readonly schedules = new Map<string, Schedule>();
  private stopped = false;

  // The runner's own short transactions, never a caller's: it runs from timers.
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
  ) {}

  /** Runs `task` about every `intervalMs` (the first check is at once). */
  every(name: string, intervalMs: number, task: () => Promise<unknown>): void {
    if (this.schedules.has(name)) throw new Error(`schedule ${name} is already registered`);
    const schedule: Schedule = { name: scheduleKey(this.config, name), intervalMs, task };
    this.schedules.set(name, schedule);
    const checkEvery = Math.max(50, Math.min(Math.floor(intervalMs / 4), 15_000));
    schedule.timer = setInterval(() => this.tick(schedule), checkEvery);
    schedule.timer.unref();
    this.tick(schedule);
  }

  private tick(schedule: Schedule): void {
    if (this.stopped || schedule.running) return;
    schedule.running = this.runIfDue(schedule)
      .then(() => undefined)
      .catch((error: unknown) =>
        this.logger.warn(
          { err: loggableError(error), schedule: schedule.name },
          'schedule check failed; will try again',
        ),
      )
      .finally(() => (schedule.running = undefined));
  }

  /** Claims and runs the schedule if its interval has passed; true when this process ran it. */
  private async runIfDue(schedule: Schedule): Promise<boolean> {
    if (!(await this.claim(schedule.name, schedule.intervalMs))) return false;
    const started = performance.now();
    let error: string | null = null;
    try {
      await schedule.task();
    } catch (failure) {
      // Kept in the database and shown by /health: the message as a log line has it (a
      // database error's quoted values replaced), never the raw one.
      error = loggableError(failure).message.slice(0, 500);
      this.logger.error(
        { err: loggableError(failure), schedule: schedule.name },
        'scheduled run failed',
      );
    }
    await this.dataSource.query(
      `UPDATE schedule_runs
          SET last_finished_at = now(), last_duration_ms = $2, last_error = $3,
              last_succeeded_at = CASE WHEN $3::varchar IS NULL THEN now() ELSE last_succeeded_at END
        WHERE name = $1`,
      [schedule.name, Math.round(performance.now() - started), error],
    );
    return true;
  }

  /**
   * One statement, outside any transaction: the upsert takes the row's lock only while it runs,
   * so a second process waits microseconds, then sees the new start time and claims nothing.
   */
  private async claim(name: string, intervalMs: number): Promise<boolean> {
    const claimed = (await this.dataSource.query(
      `INSERT INTO schedule_runs AS r (name, interval_ms, last_started_at, runs) VALUES ($1, $2, now(), 1)
       ON CONFLICT (name) DO UPDATE SET interval_ms = EXCLUDED.interval_ms, last_started_at = now(), runs = r.runs + 1
        WHERE r.last_started_at <= now() - make_interval(secs => $2::int / 1000.0)
       RETURNING name`,
      [name, intervalMs],
    )) as unknown[];
    return claimed.length === 1;
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    for (const schedule of this.schedules.values()) clearInterval(schedule.timer);
    // Let a run in progress record its end before the pool closes, but not forever: a task
    // stuck on an unreachable Redis must not hold the process up.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all([...this.schedules.values()].map((schedule) => schedule.running)),
      new Promise((resolve) => (timer = setTimeout(resolve, SHUTDOWN_WAIT_MS))),
    ]);
    clearTimeout(timer);
  }
}
