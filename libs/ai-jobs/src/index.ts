/**
 * AI jobs' public face: its modules and entities, config, errors, queue names, and the services
 * the apps call (test/integration/public-faces.spec.ts snapshots it).
 */
export { AI_JOBS_ENTITIES, AiJobsModule, s3ConnectionOf, storageFor } from './ai-jobs.module';
export { AiRunnerModule } from './ai-runner.module';
export { JobLedgerChecksModule } from './jobs/job-ledger-checks.module';
export { AI_JOBS_CONFIG, aiJobsConfig, aiProviderOf, threadPoolCheck } from './ai-jobs.config';
export type { AiJobsConfig } from './ai-jobs.config';
export {
  ActiveJobLimitError,
  AI_JOBS_ERROR_CODES,
  BatchNotFoundError,
  FileInUseError,
  FileNotFoundError,
  IdempotencyInFlightError,
  IdempotencyKeyReusedError,
  ImageTooLargeError,
  JOB_FAILURE_CODES,
  JobAlreadyRetriedError,
  JobNotCancelableError,
  JobNotFoundError,
  JobNotRetryableError,
  JobOwnerBannedError,
  PriceChangedError,
  ProviderError,
  StorageQuotaExceededError,
  UnsupportedImageError,
} from './ai-jobs.errors';
export type { JobFailureCode } from './ai-jobs.errors';
export { AI_MAINTENANCE_QUEUE, AI_QUEUE, AiJobName } from './ai.queue';
export type { RunJobPayload } from './ai.queue';
export { FILE_STORAGE, StoredObjectNotFoundError } from './files/file-storage';
export type { FileStorage } from './files/file-storage';
export { FilesService } from './files/files.service';
export type { StorageUsage } from './files/files.service';
export { OrphanFiles } from './files/orphan-files';
export { S3Storage } from './files/s3.storage';
export { FILE_KINDS, StoredFile } from './files/stored-file.entity';
export type { FileKind } from './files/stored-file.entity';
export { IdempotencyService } from './idempotency/idempotency.service';
export {
  AiJob,
  JOB_STATUSES,
  OPERATIONS,
  PRIORITIES,
  TERMINAL_STATUSES,
} from './jobs/ai-job.entity';
export type { JobStatus, Operation, Priority } from './jobs/ai-job.entity';
export { Batch } from './batches/batch.entity';
export { BatchesService, type BatchProgress, type SubmittedBatch } from './batches/batches.service';
export { JobHoldActivity } from './jobs/job-hold-activity';
export { JobQueue } from './jobs/job-queue';
export { JobRunner, RetryableJobError } from './jobs/job-runner';
export type { RunOutcome } from './jobs/job-runner';
export { JobSignals } from './jobs/job-signals';
export { JobsService } from './jobs/jobs.service';
export { JobViews } from './jobs/job-view';
export type { JobViewData } from './jobs/job-view';
export { JobEnded } from './events/job-ended';
export { BatchFinished } from './events/batch-finished';
export type { JobPage, JobSearch } from './jobs/jobs.service';
export { Reconciler } from './jobs/reconciler';
export { AI_PROVIDER } from './providers/ai-provider';
export type { AiProvider, ProviderHooks } from './providers/ai-provider';
export { FalProvider } from './providers/fal.provider';
export { BatchSubmitted } from './events/batch-submitted';
export { JobSubmitted } from './events/job-submitted';
export { AiJobEventsModule } from './events/ai-job-events.module';
