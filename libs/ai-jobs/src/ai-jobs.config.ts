import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { defineConfig, toInt, type PlatformConfig } from '@jewelshot/platform';
import type { IdentityConfig } from '@jewelshot/identity';

/** AI jobs' variables: files and storage, image work, providers, retries and the job deadlines. */
export class AiJobsVariables {
  /** Where the API is reached from outside; signed file URLs are built on it. */
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'PUBLIC_BASE_URL must be an http(s) URL' })
  PUBLIC_BASE_URL = 'http://localhost:3000';

  @IsIn(['local', 's3'])
  STORAGE_DRIVER: 'local' | 's3' = 'local';

  /** Folder of the local storage driver (relative paths are from the working directory). */
  @IsString()
  STORAGE_DIR = 'var/storage';

  @IsOptional() @IsString() S3_BUCKET?: string;

  @IsOptional() @IsString() S3_REGION?: string;

  @IsOptional()
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'S3_ENDPOINT must be an http(s) URL' })
  S3_ENDPOINT?: string;

  @IsOptional() @IsString() S3_ACCESS_KEY_ID?: string;

  @IsOptional() @IsString() S3_SECRET_ACCESS_KEY?: string;

  @IsOptional() @IsIn(['true', 'false']) S3_FORCE_PATH_STYLE?: 'true' | 'false';

  /** Lifetime of a signed file URL. */
  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(7 * 86400)
  FILE_URL_TTL_SECONDS = 900;

  /** Longest side of a stored upload; larger images are scaled down. */
  @Transform(toInt)
  @IsInt()
  @Min(64)
  @Max(16384)
  UPLOAD_MAX_SIDE = 2048;

  /** Bytes one user may keep in stored files (uploads and outputs); an upload past it is 413. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  STORAGE_QUOTA_BYTES = 1024 * 1024 * 1024;

  /**
   * Jobs one user may have queued or running at once (a batch's items count one each); a submit,
   * batch or retry past it is 429 (`policy: active-jobs`) and creates nothing. One seller's
   * backlog cannot fill the queue ahead of everyone else's.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100_000)
  MAX_ACTIVE_JOBS_PER_USER = 500;

  /** Image decodes/encodes (sharp) running at once per process. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  IMAGE_CONCURRENCY = 1;

  /** Image operations that may wait; past that an upload is 503 with Retry-After. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  IMAGE_QUEUE = 16;

  /** Largest image we decode, in pixels (width × height, at most 50 MP): a bigger one is 413 from its header alone. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(50_000_000)
  IMAGE_MAX_PIXELS = 50_000_000;

  /** `fal` when FAL_KEY is set, else the embedded `local` provider. */
  @IsOptional()
  @IsIn(['local', 'fal'])
  AI_PROVIDER?: 'local' | 'fal';

  @IsOptional() @IsString() FAL_KEY?: string;

  /** Replaces https://queue.fal.run (a proxy, or the fake used by the tests). */
  @IsOptional()
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'FAL_QUEUE_BASE_URL must be an http(s) URL' })
  FAL_QUEUE_BASE_URL?: string;

  @IsString() FAL_MODEL_GENERATE = 'fal-ai/flux/dev';

  @IsString() FAL_MODEL_EDIT = 'fal-ai/flux/dev/image-to-image';

  @IsString() FAL_MODEL_REMOVE_BACKGROUND = 'fal-ai/birefnet';

  @IsString() FAL_MODEL_UPSCALE = 'fal-ai/clarity-upscaler';

  /** How often the fal provider polls a request's status. */
  @Transform(toInt)
  @IsInt()
  @Min(50)
  FAL_POLL_INTERVAL_MS = 1000;

  /** Every provider call (and output download) is cancelled past this. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  PROVIDER_TIMEOUT_MS = 120_000;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  LOCAL_PROVIDER_LATENCY_MS = 1500;

  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && value.trim() !== '' ? Number(value) : value,
  )
  @Min(0)
  @Max(1)
  LOCAL_PROVIDER_FAILURE_RATE = 0;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10)
  JOB_ATTEMPTS = 3;

  /** First retry delay; doubles each attempt. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  JOB_BACKOFF_MS = 2000;

  /** A job `running` longer than this is failed and refunded by the reconciler. */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  JOB_RUNNING_DEADLINE_MS = 15 * 60_000;

  /**
   * How often the worker re-reads a running job's row while its provider works: a cancel is a
   * database fact, so the worker notices it even when the Redis pub/sub hint is lost.
   */
  @Transform(toInt)
  @IsInt()
  @Min(50)
  @Max(60_000)
  JOB_CANCEL_POLL_MS = 1000;

  /** How often the worker deletes stored bytes with no file row (orphans older than a day). */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  ORPHAN_SWEEP_INTERVAL_MS = 3_600_000;
}

export const aiJobsConfig = defineConfig({
  name: 'ai-jobs',
  variables: AiJobsVariables,
  check: (config, given) => {
    const problems: string[] = [];
    if (config.STORAGE_DRIVER === 's3') {
      for (const key of ['S3_BUCKET', 'S3_REGION'] as const)
        if (!given.has(key)) problems.push(`${key}: required when STORAGE_DRIVER=s3`);
    }
    if (config.AI_PROVIDER === 'fal' && !given.has('FAL_KEY'))
      problems.push('FAL_KEY: required when AI_PROVIDER=fal');
    // The default would point every signed file URL at localhost, and let that origin use the
    // session cookie (apps/api/src/auth/refresh-cookie.ts).
    if (config.NODE_ENV === 'production' && !given.has('PUBLIC_BASE_URL'))
      problems.push('PUBLIC_BASE_URL: must be set explicitly in production');
    return problems;
  },
});

export type AiJobsConfig = Readonly<AiJobsVariables> & PlatformConfig;

export const AI_JOBS_CONFIG = aiJobsConfig.token;

/** The AI provider in use: explicit AI_PROVIDER, else fal when a key is set, else local. */
export function aiProviderOf(
  config: Pick<AiJobsConfig, 'AI_PROVIDER' | 'FAL_KEY'>,
): 'local' | 'fal' {
  return config.AI_PROVIDER ?? (config.FAL_KEY ? 'fal' : 'local');
}

/**
 * Spans three sections, so the apps that compose them run it: password hashes (identity) and
 * image work (here) must leave libuv's pool (platform) a free thread for file reads.
 */
export function threadPoolCheck(
  config: Pick<AiJobsConfig, 'IMAGE_CONCURRENCY' | 'UV_THREADPOOL_SIZE'> &
    Pick<IdentityConfig, 'PASSWORD_HASH_CONCURRENCY'>,
): string[] {
  return config.PASSWORD_HASH_CONCURRENCY + config.IMAGE_CONCURRENCY >= config.UV_THREADPOOL_SIZE
    ? [
        'UV_THREADPOOL_SIZE: must exceed PASSWORD_HASH_CONCURRENCY + IMAGE_CONCURRENCY, so file reads always find a free thread',
      ]
    : [];
}
