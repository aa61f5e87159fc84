import { InjectQueue, OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { UnrecoverableError, type Job, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  loggableError,
  PLATFORM_CONFIG,
  REDIS,
  recordBackupOutcome,
  recordBackupScheduled,
  type PlatformConfig,
  type S3Connection,
  warnQueueErrors,
  workerErrorWarning,
} from '@jewelshot/platform';
import { BACKUP_CONFIG, s3BackupTargetOf, type BackupConfig } from './backup.config';
import { pruneBackups, takeBackup } from './backup-writer';
import { BACKUP_MANIFEST_SECTIONS } from './manifest-sections';

export const BACKUP_QUEUE = 'backup';
export const BACKUP_JOB = 'backup';
/** The BullMQ job scheduler's id: one per deployment (queue keys carry its prefix). */
export const BACKUP_SCHEDULER = 'backup-cron';
/** How the processor reaches S3 with BACKUP_TARGET=s3 (BackupScheduleModule.forRoot's). */
export const BACKUP_S3_CONNECTION = Symbol('BACKUP_S3_CONNECTION');
/** A failed backup is tried again: 3 attempts, 1 min then 2 min apart. */
export const BACKUP_ATTEMPTS = 3;
const BACKUP_BACKOFF_MS = 60_000;

/**
 * The worker's scheduled backups: a BullMQ job scheduler (BACKUP_CRON) adds one job per period
 * whichever number of workers upsert it (the scheduler's id is the same), and one worker takes
 * that job, so there is one backup per period. A failure is logged, counted in the status /health
 * reads, and retried with backoff.
 */
@Injectable()
export class BackupSchedule implements OnApplicationBootstrap {
  private readonly logger = new Logger(BackupSchedule.name);

  constructor(
    @InjectQueue(BACKUP_QUEUE) private readonly queue: Queue,
    @Inject(BACKUP_CONFIG) private readonly config: BackupConfig,
    @Inject(REDIS) private readonly redis: Redis,
  ) {
    warnQueueErrors(queue, this.logger);
  }

  onApplicationBootstrap(): void {
    if (this.config.BACKUP_CRON === 'off') {
      void this.queue.removeJobScheduler(BACKUP_SCHEDULER).catch(() => undefined);
      void recordBackupScheduled(this.redis, false).catch(() => undefined);
      return;
    }
    // In the background: the BullMQ connection waits for a Redis that is down, start-up must not.
    void this.queue
      .upsertJobScheduler(
        BACKUP_SCHEDULER,
        { pattern: this.config.BACKUP_CRON, tz: 'UTC' },
        {
          name: BACKUP_JOB,
          opts: {
            attempts: BACKUP_ATTEMPTS,
            backoff: { type: 'exponential', delay: BACKUP_BACKOFF_MS },
            removeOnComplete: 100,
            removeOnFail: 100,
          },
        },
      )
      .catch((error: unknown) => {
        this.logger.warn({ err: loggableError(error) }, 'could not register the backup schedule');
        return false;
      })
      .then((registered) =>
        registered === false
          ? undefined
          : recordBackupScheduled(this.redis, true).catch((error: unknown) =>
              this.logger.warn(
                { err: loggableError(error) },
                'could not record when the backup schedule began (the never-succeeded alert measures from it)',
              ),
            ),
      );
  }
}

// @Injectable so the constructor's parameter types are emitted.
@Injectable()
@Processor(BACKUP_QUEUE, { concurrency: 1 })
export class BackupProcessor extends WorkerHost {
  private readonly logger = new Logger(BackupProcessor.name);
  private readonly warnError = workerErrorWarning(BACKUP_QUEUE, this.logger);

  constructor(
    @Inject(BACKUP_CONFIG) private readonly config: BackupConfig,
    @Inject(PLATFORM_CONFIG) private readonly platform: PlatformConfig,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(BACKUP_S3_CONNECTION) private readonly s3: S3Connection,
  ) {
    super();
  }

  async process(job: Job): Promise<{ folder: string }> {
    if (job.name !== BACKUP_JOB)
      throw new UnrecoverableError(`${BACKUP_QUEUE} has no handler for ${job.name}`);
    const s3 = s3BackupTargetOf(this.config, this.s3);
    const { folder, manifest } = await takeBackup({
      databaseUrl: this.platform.DATABASE_URL,
      dir: this.config.BACKUP_DIR,
      sections: BACKUP_MANIFEST_SECTIONS,
      s3,
    });
    await recordBackupOutcome(this.redis, { ok: true, folder });
    const deleted = await pruneBackups(
      this.config.BACKUP_DIR,
      {
        hourly: this.config.BACKUP_KEEP_HOURLY,
        daily: this.config.BACKUP_KEEP_DAILY,
        weekly: this.config.BACKUP_KEEP_WEEKLY,
      },
      s3,
    );
    this.logger.log(
      `backup ${folder}: ${manifest.dump.bytes} bytes in ${manifest.durationMs} ms; retention deleted ${deleted.length}`,
    );
    return { folder };
  }

  /** BullMQ's own errors (Redis away, a job's key gone): logged now and then, not printed each time. */
  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.warnError(error);
  }

  @OnWorkerEvent('failed')
  async onFailed(job: Job | undefined, error: Error): Promise<void> {
    const attempt = job ? `attempt ${job.attemptsMade} of ${job.opts.attempts ?? 1}` : 'attempt';
    this.logger.error({ err: loggableError(error) }, `backup failed (${attempt})`);
    await recordBackupOutcome(this.redis, { ok: false, error: loggableError(error).message }).catch(
      () => undefined,
    );
  }
}
