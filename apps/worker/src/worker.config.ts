import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { defineConfig, loadConfigOrExit, toInt, type ConfigOf } from '@jewelshot/platform';
import { aiJobsConfig, threadPoolCheck } from '@jewelshot/ai-jobs';
import { auditConfig } from '@jewelshot/audit';
import { backupConfig } from '@jewelshot/backup';
import { abuseConfig } from '@jewelshot/abuse';
import { creditLedgerConfig } from '@jewelshot/credit-ledger';
import { emailConfig } from '@jewelshot/email';
import { identityConfig } from '@jewelshot/identity';
import { webhooksConfig } from '@jewelshot/webhooks';

/** The worker's own variables: its concurrency and job lock, heartbeat and optional health port. */
class WorkerVariables {
  /** AI jobs one worker process runs at once. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(256)
  WORKER_CONCURRENCY = 4;

  /** How long a worker's lock on a job lasts without renewal: a dead worker's jobs are taken over after it. */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  JOB_LOCK_MS = 30_000;

  /**
   * How long a stopping worker (SIGTERM, SIGINT) may take: its running jobs finish and its
   * connections close within it, or it exits anyway (code 1), and the jobs it still held go back
   * to the queue once their locks lapse. A drain can otherwise wait forever on a Redis that is
   * down or hung.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  WORKER_SHUTDOWN_TIMEOUT_MS = 150_000;

  /** Seconds the worker heartbeat key lives; /health calls the worker down once it lapses. */
  @Transform(toInt)
  @IsInt()
  @Min(3)
  WORKER_HEARTBEAT_TTL_SECONDS = 15;

  @Transform(toInt)
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(65535)
  WORKER_HEALTH_PORT?: number;
}

const workerConfig = defineConfig({ name: 'worker', variables: WorkerVariables });

/** Every section the worker runs with; a new lib's section is added here (and to the API's). */
export const WORKER_CONFIG_SECTIONS = [
  auditConfig,
  emailConfig,
  webhooksConfig,
  identityConfig,
  creditLedgerConfig,
  aiJobsConfig,
  abuseConfig,
  backupConfig,
  workerConfig,
] as const;

export type WorkerConfig = ConfigOf<typeof WORKER_CONFIG_SECTIONS>;

export const WORKER_CONFIG = workerConfig.token;

export const WORKER_CONFIG_CHECKS = [threadPoolCheck];

export function loadWorkerConfigOrExit(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  return loadConfigOrExit(WORKER_CONFIG_SECTIONS, env, WORKER_CONFIG_CHECKS);
}
