import type { Redis } from 'ioredis';

/**
 * Hash in which the worker's scheduled backups record how they went (under the deployment's
 * key prefix); /health reads it. Fields: lastSucceededAt, lastFolder, lastFailedAt, lastError,
 * failures (every failed attempt since the counter was created), failuresSinceSuccess, and
 * scheduledSince (when a worker first registered the schedule: a schedule whose first backup has
 * not succeeded a day later is one that never worked).
 */
export const BACKUP_STATUS_KEY = 'backup:status';

export type BackupOutcome = { ok: true; folder: string } | { ok: false; error: string };

export async function recordBackupOutcome(redis: Redis, outcome: BackupOutcome): Promise<void> {
  const at = new Date().toISOString();
  if (outcome.ok) {
    await redis.hset(BACKUP_STATUS_KEY, {
      lastSucceededAt: at,
      lastFolder: outcome.folder,
      failuresSinceSuccess: '0',
    });
    return;
  }
  await redis
    .multi()
    .hset(BACKUP_STATUS_KEY, { lastFailedAt: at, lastError: outcome.error.slice(0, 300) })
    .hincrby(BACKUP_STATUS_KEY, 'failures', 1)
    .hincrby(BACKUP_STATUS_KEY, 'failuresSinceSuccess', 1)
    .exec();
}

/**
 * Records that a worker runs the backup schedule (from the first time: later starts keep it), or
 * that the schedule is off (BACKUP_CRON=off), so "never succeeded" can be told from "not asked".
 */
export async function recordBackupScheduled(redis: Redis, scheduled: boolean): Promise<void> {
  if (scheduled) await redis.hsetnx(BACKUP_STATUS_KEY, 'scheduledSince', new Date().toISOString());
  else await redis.hdel(BACKUP_STATUS_KEY, 'scheduledSince');
}

/** One line for /health: the last success and the failures counted (none when no backup ran here). */
export async function describeBackupStatus(redis: Redis): Promise<string> {
  const status = await redis.hgetall(BACKUP_STATUS_KEY);
  const failures = Number(status.failures ?? 0);
  const since = Number(status.failuresSinceSuccess ?? 0);
  const last = status.lastSucceededAt
    ? `last succeeded at ${status.lastSucceededAt}`
    : 'never succeeded';
  if (!status.lastSucceededAt && failures === 0)
    return status.scheduledSince
      ? `No backup yet: scheduled since ${status.scheduledSince}`
      : 'No scheduled backup yet';
  return `${since > 0 ? 'FAILING' : 'OK'}: ${last}; ${failures} failure(s) counted, ${since} since the last success`;
}
