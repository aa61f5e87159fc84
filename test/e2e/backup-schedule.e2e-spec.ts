import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { BACKUP_QUEUE, BACKUP_SCHEDULER, listBackups } from '@jewelshot/backup';
import { BACKUP_STATUS_KEY, HealthService, REDIS } from '@jewelshot/platform';
import type { Redis } from 'ioredis';
import { createWorker, type WorkerApp } from '../../apps/worker/src/bootstrap';
import { dropDatabase, scratchDatabase } from '../support/backup-seed';
import { loadConfig } from '../support/config';
import { baseTestEnv, suitePrefix, TEST_REDIS_URL } from '../support/test-env';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 600; i += 1) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(100);
  }
  throw new Error(`gave up waiting for ${what}`);
}

function backupQueue(prefix: string): Queue {
  return new Queue(BACKUP_QUEUE, {
    connection: { url: TEST_REDIS_URL, maxRetriesPerRequest: null },
    prefix: `${prefix}bull`,
  });
}

describe('scheduled backups in the worker', () => {
  let source: { name: string; url: string };
  const dirs: string[] = [];

  beforeAll(async () => {
    source = await scratchDatabase('schedule_src');
  });

  afterAll(async () => {
    await dropDatabase(source.name);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  function envFor(prefix: string, backupDir: string): NodeJS.ProcessEnv {
    return {
      ...baseTestEnv(),
      DATABASE_URL: source.url,
      REDIS_KEY_PREFIX: prefix,
      BACKUP_DIR: backupDir,
      // Every 2 seconds, so a few periods pass quickly.
      BACKUP_CRON: '*/2 * * * * *',
    };
  }

  it('takes one backup per period with two workers on the schedule, and /health says so', async () => {
    const prefix = suitePrefix('backup-schedule');
    const dir = mkdtempSync(join(tmpdir(), 'jewelshot-scheduled-'));
    dirs.push(dir);
    const workers: WorkerApp[] = [];
    const queue = backupQueue(prefix);
    try {
      const started = Date.now();
      workers.push(await createWorker(loadConfig(envFor(prefix, dir))));
      // The schedule's registration is on the record (the never-succeeded alert measures from it).
      const redis = workers[0]?.context.get<Redis>(REDIS) as Redis;
      const since = await until(
        'the schedule registered',
        async () => (await redis.hget(BACKUP_STATUS_KEY, 'scheduledSince')) ?? undefined,
      );
      expect(Date.parse(since)).toBeGreaterThanOrEqual(started - 1000);
      workers.push(await createWorker(loadConfig(envFor(prefix, dir))));
      await until('three scheduled backups', async () =>
        (await queue.getCompletedCount()) >= 3 ? true : undefined,
      );
      // A second worker keeps the first registration.
      expect(await redis.hget(BACKUP_STATUS_KEY, 'scheduledSince')).toBe(since);
      const health = await workers[0]?.context.get(HealthService).backup();
      expect(health?.detail).toMatch(/^OK: last succeeded at .*; 0 failure\(s\) counted/);
    } finally {
      for (const worker of workers) await worker.close();
    }
    try {
      const backups = await listBackups(dir);
      const completed = await queue.getJobs(['completed']);
      const schedulers = await queue.getJobSchedulers();
      // Both workers upserted the one scheduler.
      expect(schedulers.map((s) => s.key)).toEqual([BACKUP_SCHEDULER]);
      // Each completed job is one period's (the scheduler's run time), with a backup of its own.
      const periods = completed.map((job) => job.opts.prevMillis);
      expect(new Set(periods).size).toBe(periods.length);
      for (const millis of periods) expect((millis ?? 1) % 2000).toBe(0);
      const folders = completed.map((job) => (job.returnvalue as { folder: string }).folder);
      expect(new Set(folders).size).toBe(completed.length);
      // Retention (24 hourly, 7 daily, 4 weekly) keeps the newest backup of this hour only.
      const newest = [...completed].sort(
        (a, b) => (b.opts.prevMillis ?? 0) - (a.opts.prevMillis ?? 0),
      )[0];
      expect(backups.map((backup) => backup.folder)).toEqual([
        (newest?.returnvalue as { folder: string }).folder,
      ]);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
    }
  }, 120_000);

  it('logs, counts and retries a backup that fails, leaving no folder that looks complete', async () => {
    const prefix = suitePrefix('backup-failing');
    const parent = mkdtempSync(join(tmpdir(), 'jewelshot-failing-'));
    dirs.push(parent);
    // BACKUP_DIR is a file: every attempt fails.
    const notADir = join(parent, 'not-a-folder');
    writeFileSync(notADir, 'x');
    const queue = backupQueue(prefix);
    let worker: WorkerApp | undefined;
    try {
      worker = await createWorker(loadConfig(envFor(prefix, notADir)));
      const running = worker;
      const detail = await until('a failure in /health', async () => {
        const check = await running.context.get(HealthService).backup();
        return /^FAILING/.test(check.detail) ? check.detail : undefined;
      });
      expect(detail).toMatch(/never succeeded; [1-9]\d* failure\(s\) counted/);
      // The failed attempt waits for its retry (backoff), it is not dropped.
      const retrying = await until('a job waiting for its retry', async () => {
        const jobs = await queue.getJobs(['delayed', 'waiting', 'active', 'failed']);
        return jobs.find((job) => job.attemptsMade >= 1);
      });
      expect(retrying.opts.attempts).toBe(3);
      expect(await retrying.getState()).toBe('delayed');
    } finally {
      await worker?.close();
      await queue.obliterate({ force: true });
      await queue.close();
    }
    expect(await listBackups(parent)).toEqual([]);
  }, 120_000);
});
