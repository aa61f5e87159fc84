import { DomainError, NotFoundError } from '@jewelshot/platform';

/** AI jobs' own error codes; its other errors use platform's generic ones. The API gives each its HTTP status (apps/api/src/http/error-status.ts). */
export const AI_JOBS_ERROR_CODES = ['IDEMPOTENCY_KEY_REUSED'] as const;

export class JobNotFoundError extends NotFoundError {
  constructor() {
    super('Job not found');
  }
}

export class BatchNotFoundError extends NotFoundError {
  constructor() {
    super('Batch not found');
  }
}

export class FileNotFoundError extends NotFoundError {
  constructor() {
    super('File not found');
  }
}

/**
 * A file that a job still queued or running reads as its input (`params.inputImageId`, a batch
 * item's too) cannot be deleted: that job would lose its image. It can be once they end.
 */
export class FileInUseError extends DomainError {
  constructor(jobIds: string[]) {
    super(
      'CONFLICT',
      'This image is the input of a job that is still queued or running: cancel the job or wait for it to end',
      { reason: 'FILE_IN_USE', jobIds },
    );
  }
}

export class UnsupportedImageError extends DomainError {
  constructor(message = 'Only JPEG, PNG and WebP images are accepted') {
    super('UNSUPPORTED_MEDIA_TYPE', message);
  }
}

export class JobNotCancelableError extends DomainError {
  constructor(status: string) {
    super('CONFLICT', `A ${status} job cannot be canceled`, {
      reason: 'JOB_NOT_CANCELABLE',
      status,
    });
  }
}

export class JobNotRetryableError extends DomainError {
  constructor(status: string) {
    super('CONFLICT', `Only a failed job can be retried; this one is ${status}`, {
      reason: 'JOB_NOT_RETRYABLE',
      status,
    });
  }
}

export class JobAlreadyRetriedError extends DomainError {
  constructor(retryId: string) {
    super('CONFLICT', `This job was already retried as job ${retryId}`, {
      reason: 'JOB_ALREADY_RETRIED',
      retryId,
    });
  }
}

export class JobOwnerBannedError extends DomainError {
  constructor() {
    super('CONFLICT', "The job's owner is banned: unban them before retrying their job", {
      reason: 'JOB_OWNER_BANNED',
    });
  }
}

export class PriceChangedError extends DomainError {
  constructor() {
    super('CONFLICT', 'The price changed while the retry was made; try again', {
      reason: 'PRICE_CHANGED',
    });
  }
}

export class IdempotencyKeyReusedError extends DomainError {
  constructor() {
    super('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used with a different request');
  }
}

/** A request in flight takes milliseconds; one whose process died frees its key after a minute. */
export const IN_FLIGHT_RETRY_AFTER_SECONDS = 1;

export class IdempotencyInFlightError extends DomainError {
  constructor() {
    super(
      'CONFLICT',
      'A request with this Idempotency-Key is still being processed; retry shortly',
      { reason: 'IN_FLIGHT', retryAfterSeconds: IN_FLIGHT_RETRY_AFTER_SECONDS },
    );
  }
}

/**
 * Why a job ended without its result: the job's `error.code`, one of a closed list so that a
 * client can put each in its own words (the SPA has a message per code in each language).
 */
export const JOB_FAILURE_CODES = [
  'PROVIDER_ERROR',
  'PROVIDER_TIMEOUT',
  'INVALID_INPUT',
  'CANCELED',
  'DEADLINE_EXCEEDED',
  /** Ended by something on our side, not the provider's answer. */
  'INTERNAL_ERROR',
] as const;
export type JobFailureCode = (typeof JOB_FAILURE_CODES)[number];

/** What a provider call ended with; `message` is safe to show to the job's owner. */
export class ProviderError extends Error {
  constructor(
    readonly code: Exclude<JobFailureCode, 'DEADLINE_EXCEEDED' | 'INTERNAL_ERROR'>,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

export class ImageTooLargeError extends DomainError {
  constructor(width: number, height: number, maxPixels: number) {
    super(
      'PAYLOAD_TOO_LARGE',
      `The image has ${width}×${height} pixels; at most ${maxPixels} are accepted`,
      { width, height, maxPixels },
    );
  }
}

export class StorageQuotaExceededError extends DomainError {
  constructor(used: number, quota: number, incoming: number) {
    super('PAYLOAD_TOO_LARGE', 'This upload would exceed your storage quota', {
      used,
      quota,
      incoming,
    });
  }
}

/** Seconds a client refused for its jobs in progress is told to wait (about a job's run). */
export const ACTIVE_JOBS_RETRY_AFTER_SECONDS = 30;

/**
 * 429: the submit would take the user past MAX_ACTIVE_JOBS_PER_USER jobs queued or running.
 * Nothing was created or held; it may pass once some of those have ended.
 */
export class ActiveJobLimitError extends DomainError {
  constructor(limit: number) {
    super(
      'RATE_LIMIT_EXCEEDED',
      `You have the most jobs in progress allowed (${limit}). Submit more once some have finished.`,
      { policy: 'active-jobs', limit, retryAfterSeconds: ACTIVE_JOBS_RETRY_AFTER_SECONDS },
    );
  }
}
