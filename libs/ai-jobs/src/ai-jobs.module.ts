import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CreditLedgerModule } from '@jewelshot/credit-ledger';
import { EmailModule } from '@jewelshot/email';
import { IdentityModule } from '@jewelshot/identity';
import {
  declareEvents,
  EventsModule,
  METRICS_SOURCES,
  QUEUE_HEALTH,
  type S3Connection,
} from '@jewelshot/platform';
import { BatchFinished } from './events/batch-finished';
import { JobEnded } from './events/job-ended';
import { JobViews } from './jobs/job-view';
import { AiJobEventsModule } from './events/ai-job-events.module';
import { AI_JOBS_CONFIG, type AiJobsConfig } from './ai-jobs.config';
import { AI_QUEUE } from './ai.queue';
import { AiJob } from './jobs/ai-job.entity';
import { Batch } from './batches/batch.entity';
import { IdempotencyKey } from './idempotency/idempotency-key.entity';
import { StoredFile } from './files/stored-file.entity';
import { JobLedgerChecksModule } from './jobs/job-ledger-checks.module';
import { FilesService } from './files/files.service';
import { IdempotencyService } from './idempotency/idempotency.service';
import { JobHoldActivity } from './jobs/job-hold-activity';
import { JobQueue } from './jobs/job-queue';
import { QueueFigures } from './jobs/queue-figures';
import { JobSignals } from './jobs/job-signals';
import { JobsService } from './jobs/jobs.service';
import { JobNotifications } from './jobs/job-notifications';
import { BatchesService } from './batches/batches.service';
import { JobTransitions } from './jobs/job-transitions';
import { FILE_STORAGE, type FileStorage } from './files/file-storage';
import { LocalDiskStorage } from './files/local-disk.storage';
import { S3Storage } from './files/s3.storage';

export const AI_JOBS_ENTITIES = [StoredFile, Batch, AiJob, IdempotencyKey];

/** How to reach S3 (the S3_* variables): the image storage's, and the backups' when BACKUP_TARGET=s3. */
export function s3ConnectionOf(config: AiJobsConfig): S3Connection {
  return {
    region: config.S3_REGION ?? '',
    endpoint: config.S3_ENDPOINT,
    accessKeyId: config.S3_ACCESS_KEY_ID,
    secretAccessKey: config.S3_SECRET_ACCESS_KEY,
    forcePathStyle: config.S3_FORCE_PATH_STYLE === 'true',
    timeoutMs: config.PROVIDER_TIMEOUT_MS,
  };
}

export function storageFor(config: AiJobsConfig): FileStorage {
  if (config.STORAGE_DRIVER === 's3')
    return new S3Storage({ bucket: config.S3_BUCKET ?? '', ...s3ConnectionOf(config) });
  return new LocalDiskStorage(config.STORAGE_DIR);
}

/** Jobs, batches, files and the queue, shared by the API and the worker. Needs QueueModule. */
@Module({
  imports: [
    TypeOrmModule.forFeature(AI_JOBS_ENTITIES),
    BullModule.registerQueue({ name: AI_QUEUE }),
    CreditLedgerModule,
    JobLedgerChecksModule,
    EventsModule,
    AiJobEventsModule,
    EmailModule,
    IdentityModule,
  ],
  providers: [
    JobViews,
    JobNotifications,
    declareEvents([JobEnded, BatchFinished]),
    { provide: FILE_STORAGE, inject: [AI_JOBS_CONFIG], useFactory: storageFor },
    FilesService,
    JobsService,
    BatchesService,
    JobTransitions,
    JobQueue,
    JobSignals,
    IdempotencyService,
    JobHoldActivity,
    QueueFigures,
    { provide: METRICS_SOURCES, useExisting: QueueFigures },
    { provide: QUEUE_HEALTH, useExisting: QueueFigures },
  ],
  exports: [
    JobViews,
    JobNotifications,
    FILE_STORAGE,
    FilesService,
    JobsService,
    BatchesService,
    JobTransitions,
    JobQueue,
    JobSignals,
    IdempotencyService,
    JobHoldActivity,
    BullModule,
  ],
})
export class AiJobsModule {}
