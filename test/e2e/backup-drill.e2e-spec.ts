import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DEV_AUDIT_CHAIN_KEY, GENESIS_HASH, hashRow, sealOf } from '@jewelshot/audit';
import type { BackupManifest } from '@jewelshot/backup';
import { createWorker, type WorkerApp } from '../../apps/worker/src/bootstrap';
import {
  dropDatabase,
  runCli,
  scratchDatabase,
  seedLedgerAndJobs,
  type SeedResult,
} from '../support/backup-seed';
import { loadConfig } from '../support/config';
import { baseTestEnv, databaseUrl, newRunId, suitePrefix } from '../support/test-env';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function query<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SELECT set_config('app.all_users', 'on', true)`);
    const { rows } = await client.query(sql, params);
    await client.query('COMMIT');
    return rows as T[];
  } finally {
    await client.end();
  }
}

/** Appends `count` chained audit events (as AuditService would) and returns the head's hash. */
async function appendAuditEvents(url: string, count: number): Promise<string> {
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= count; seq += 1) {
    const row = {
      seq,
      occurredAt: new Date(Date.UTC(2026, 10, 28, 12, 0, seq)),
      actorId: null,
      actorEmail: 'drill@jewelshot.test',
      action: 'user.set-tier',
      targetType: 'user',
      targetId: `drill-${seq}`,
      outcome: 'succeeded' as const,
      reason: 'restore drill',
      details: null,
      before: { priorityTier: 'normal' },
      after: { priorityTier: 'high' },
      ip: '127.0.0.1',
      userAgent: 'drill',
      requestId: `drill-${seq}`,
      prevHash,
    };
    const hash = hashRow(row);
    await query(
      url,
      `INSERT INTO audit_events (seq, occurred_at, actor_id, actor_email, action, target_type,
         target_id, outcome, reason, details, before, after, ip, user_agent, request_id,
         prev_hash, hash, seal)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11::jsonb, $12::jsonb, $13, $14,
         $15, $16, $17, $18)`,
      [
        row.seq,
        row.occurredAt,
        row.actorId,
        row.actorEmail,
        row.action,
        row.targetType,
        row.targetId,
        row.outcome,
        row.reason,
        JSON.stringify(row.details),
        JSON.stringify(row.before),
        JSON.stringify(row.after),
        row.ip,
        row.userAgent,
        row.requestId,
        row.prevHash,
        hash,
        // Sealed with the key the restore will run with: the environment's, else the development one.
        sealOf(hash, process.env.AUDIT_CHAIN_KEY || DEV_AUDIT_CHAIN_KEY),
      ],
    );
    prevHash = hash;
  }
  return prevHash;
}

/**
 * The restore drill: a seeded database is backed up with `npm run backup`, restored with
 * `npm run restore` into a new database, verified against its manifest and ledger:verify, and
 * an empty Redis is reconciled from the restored rows. Also: corrupted dumps and non-empty
 * targets are refused before anything is restored.
 */
describe('backup and restore drill', () => {
  const databases: string[] = [];
  let source: { name: string; url: string };
  let seeded: SeedResult;
  let auditHead: string;
  let backupDir: string;
  let folder: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    source = await scratchDatabase('drill_src');
    databases.push(source.name);
    seeded = await seedLedgerAndJobs(source.url, {
      users: 100,
      grantsPerUser: 100,
      activeUsers: 5,
    });
    auditHead = await appendAuditEvents(source.url, 3);
    backupDir = mkdtempSync(join(tmpdir(), 'jewelshot-backups-'));
    env = { ...baseTestEnv(), DATABASE_URL: source.url, BACKUP_DIR: backupDir, LOG_LEVEL: 'error' };
    const backup = await runCli('backup.ts', [], env);
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    folder = backup.stdout.trim().split('\n').pop() ?? '';
  }, 180_000);

  afterAll(async () => {
    for (const name of databases) await dropDatabase(name);
    rmSync(backupDir, { recursive: true, force: true });
  });

  function newTarget(label: string): string {
    const name = `jewelshot_${label}_${newRunId()}`;
    databases.push(name);
    return databaseUrl(name);
  }

  it('writes a manifest that describes the seeded database', () => {
    expect(seeded.entries).toBeGreaterThanOrEqual(10_000);
    expect(seeded.jobs).toEqual({
      queued: 10,
      running: 10,
      succeeded: 400,
      failed: 200,
      canceled: 200,
    });
    const manifest = JSON.parse(
      readFileSync(join(folder, 'backup.json'), 'utf8'),
    ) as BackupManifest;
    expect(manifest.rowCounts).toMatchObject({
      credit_entries: seeded.entries,
      ai_jobs: 820,
      users: 100,
    });
    expect(manifest.sections.ledgerTotals).toEqual({
      balance: 100 * (1000 - 4),
      reserved: 20,
      entries: seeded.entries,
      lastEntryId: expect.any(Number),
    });
    expect(manifest.sections.auditChainHead).toEqual({ seq: 3, hash: auditHead });
    expect(manifest.migration.latest).toMatch(/^[A-Za-z]+\d+$/);
    expect(manifest.dump.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest.tools.pgDump).toMatch(/pg_dump/);
  });

  it('restores into a new database, verifies, and an empty Redis is reconciled from the rows', async () => {
    const target = newTarget('drill_restored');
    const restore = await runCli('restore.ts', ['--from', folder, '--to', target], env);
    process.stdout.write(
      `restore drill (${seeded.entries} ledger entries, 820 jobs):\n${restore.stdout}`,
    );
    expect(restore.stderr).toBe('');
    expect(restore.stdout).toMatch(/check sha-256: \d+ ms/);
    expect(restore.stdout).toMatch(/pg_restore: \d+ ms/);
    expect(restore.stdout).toMatch(/ledger:verify: \d+ ms/);
    expect(restore.stdout).toMatch(/audit:verify: \d+ ms/);
    expect(restore.stdout).toMatch(/^RTO: [\d.]+ s/m);
    expect(restore.stdout).toContain('Restore verified: manifest matches, checks clean.');
    expect(restore.code).toBe(0);

    // Redis is not a source of truth: a worker on the restored database with an empty prefix.
    let worker: WorkerApp | undefined;
    try {
      worker = await createWorker(
        loadConfig({
          ...env,
          DATABASE_URL: target,
          REDIS_KEY_PREFIX: suitePrefix('drill'),
          BACKUP_CRON: 'off',
          // The restored database is this worker's alone: the production grace, not the tests'.
          RECONCILE_GRACE_MS: '10000',
        }),
      );
      const ids = [...seeded.queuedIds, ...seeded.runningIds];
      for (let i = 0; i < 600; i += 1) {
        const [open] = await query<{ n: string }>(
          target,
          `SELECT count(*) AS n FROM ai_jobs WHERE id = ANY($1::uuid[]) AND status IN ('queued', 'running')`,
          [ids],
        );
        if (Number(open?.n) === 0) break;
        await sleep(100);
      }
    } finally {
      await worker?.close();
    }
    const rows = await query<{
      id: string;
      status: string;
      error_code: string | null;
      hold: string;
    }>(
      target,
      `SELECT j.id::text, j.status, j.error_code, h.status AS hold FROM ai_jobs j JOIN credit_holds h ON h.id = j.hold_id
        WHERE j.id = ANY($1::uuid[])`,
      [[...seeded.queuedIds, ...seeded.runningIds]],
    );
    const byId = new Map(rows.map((row) => [row.id, row]));
    for (const id of seeded.queuedIds)
      expect(byId.get(id)).toMatchObject({ status: 'succeeded', hold: 'posted' });
    for (const id of seeded.runningIds)
      expect(byId.get(id)).toMatchObject({
        status: 'failed',
        error_code: 'DEADLINE_EXCEEDED',
        hold: 'voided',
      });

    const verify = await runCli('ledger-verify.ts', [], { ...env, DATABASE_URL: target });
    expect(verify.stdout).toContain('Ledger OK: no violations.');
    expect(verify.code).toBe(0);
  }, 240_000);

  it.each([
    ['truncated', (dump: string) => truncateSync(dump, Math.floor(readFileSync(dump).length / 2))],
    [
      'one flipped byte',
      (dump: string) => {
        const bytes = readFileSync(dump);
        const at = Math.floor(bytes.length / 3);
        bytes[at] = (bytes[at] ?? 0) ^ 0x01;
        writeFileSync(dump, bytes);
      },
    ],
  ])(
    'refuses a %s dump before restoring anything',
    async (_label, damage) => {
      const copy = mkdtempSync(join(tmpdir(), 'jewelshot-damaged-'));
      try {
        writeFileSync(join(copy, 'backup.json'), readFileSync(join(folder, 'backup.json')));
        writeFileSync(join(copy, 'db.dump'), readFileSync(join(folder, 'db.dump')));
        damage(join(copy, 'db.dump'));
        const target = newTarget('drill_damaged');
        const restore = await runCli('restore.ts', ['--from', copy, '--to', target], env);
        expect(restore.code).toBe(2);
        expect(restore.stderr).toMatch(/restore refused: BACKUP_CORRUPT: .*db\.dump is corrupt/);
        expect(restore.stdout).not.toMatch(/pg_restore:/);
        // Refused before the target was even created.
        const [exists] = await query<{ n: string }>(
          databaseUrl('postgres'),
          `SELECT count(*) AS n FROM pg_database WHERE datname = $1`,
          [new URL(target).pathname.slice(1)],
        );
        expect(Number(exists?.n)).toBe(0);
      } finally {
        rmSync(copy, { recursive: true, force: true });
      }
    },
    60_000,
  );

  it('refuses a target with tables unless --force, and changes nothing', async () => {
    const other = await scratchDatabase('drill_nonempty');
    databases.push(other.name);
    await query(
      other.url,
      `INSERT INTO users (email, password_hash) VALUES ('keep@example.test', 'x')`,
    );
    const before = await query<{ n: string }>(other.url, `SELECT count(*) AS n FROM users`);
    const refused = await runCli('restore.ts', ['--from', folder, '--to', other.url], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/restore refused: RESTORE_TARGET_NOT_EMPTY/);
    expect(await query(other.url, `SELECT count(*) AS n FROM users`)).toEqual(before);
    expect(await query(other.url, `SELECT email FROM users`)).toEqual([
      { email: 'keep@example.test' },
    ]);

    const forced = await runCli(
      'restore.ts',
      ['--from', folder, '--to', other.url, '--force'],
      env,
    );
    expect(forced.stdout).toContain('Restore verified');
    expect(forced.code).toBe(0);
    expect(await query(other.url, `SELECT count(*)::int AS n FROM users`)).toEqual([{ n: 100 }]);
  }, 120_000);

  it('names each mismatch and exits 1 when the restored data does not match the manifest', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'jewelshot-lying-'));
    try {
      const manifest = JSON.parse(
        readFileSync(join(folder, 'backup.json'), 'utf8'),
      ) as BackupManifest;
      manifest.rowCounts.users = 101;
      writeFileSync(join(copy, 'backup.json'), JSON.stringify(manifest));
      writeFileSync(join(copy, 'db.dump'), readFileSync(join(folder, 'db.dump')));
      const restore = await runCli(
        'restore.ts',
        ['--from', copy, '--to', newTarget('drill_lying')],
        env,
      );
      expect(restore.stdout).toContain('MISMATCH table users: 100 rows, the backup had 101');
      expect(restore.code).toBe(1);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  }, 120_000);

  // Last: it edits the source. A backup of an audit log edited behind the chain's back (the
  // head still matches the manifest) restores, but does not verify: audit:verify names the row.
  it('exits 1 naming the seq when the restored audit chain does not verify', async () => {
    await query(
      source.url,
      `ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only;
       UPDATE audit_events SET reason = 'rewritten' WHERE seq = 2;
       ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only;`,
    );
    const dir = mkdtempSync(join(tmpdir(), 'jewelshot-edited-'));
    try {
      const backup = await runCli('backup.ts', [], { ...env, BACKUP_DIR: dir });
      expect(backup.code).toBe(0);
      const edited = backup.stdout.trim().split('\n').pop() ?? '';
      const restore = await runCli(
        'restore.ts',
        ['--from', edited, '--to', newTarget('drill_edited')],
        env,
      );
      expect(restore.stdout).toMatch(/audit:verify: \[audit\] seq 2: .*changed/);
      expect(restore.code).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
