import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Connection } from '@jewelshot/platform';
import { Client } from 'pg';
import { BackupError } from './backup.errors';
import {
  compareFacts,
  DUMP_FILE,
  MANIFEST_FILE,
  MANIFEST_FORMAT,
  readDatabaseFacts,
  type BackupManifest,
  type ManifestSection,
} from './manifest';
import { pgEnv, pgTool, runTool, sha256File } from './pg-tools';
import { downloadBackup, isS3Url } from './s3-store';

/**
 * A check run on the restored database after the manifest comparison: ledger:verify, and
 * audit:verify once the audit lib provides one. Returns the problems it found, in words.
 */
export interface RestoreCheck {
  name: string;
  run(databaseUrl: string): Promise<string[]>;
}

export interface RestoreOptions {
  /** A backup folder (with backup.json and the dump), or its `s3://bucket/prefix/name` URL. */
  from: string;
  /** How to reach S3 when `from` is an s3:// URL (the bucket is the URL's). */
  s3?: S3Connection;
  /** The database to restore into: created when it does not exist. */
  to: string;
  /** Restore into a database that has tables: its public schema is dropped first. */
  force: boolean;
  sections: readonly ManifestSection[];
  /** Applies the migrations newer than the backup. */
  migrate(databaseUrl: string): Promise<string[]>;
  checks: readonly RestoreCheck[];
  /** Roles the dump grants to, created (NOLOGIN) when the target cluster lacks them. */
  roles: readonly string[];
  log(line: string): void;
}

export interface RestoreReport {
  manifest: BackupManifest;
  steps: Array<{ step: string; ms: number }>;
  migrationsApplied: string[];
  /** Every mismatch and check failure; empty when the restore verified. */
  problems: string[];
  totalMs: number;
}

/**
 * Restores a backup and proves it: an s3:// backup downloaded (streamed to a temporary folder),
 * the dump's SHA-256 first (nothing is touched when it does not match), an empty target (unless
 * forced), pg_restore in one transaction, the newer migrations, the manifest's figures, then the
 * checks. Throws BackupError when it refuses; returns the problems when the restored data does
 * not verify.
 */
export async function restoreBackup(options: RestoreOptions): Promise<RestoreReport> {
  if (!isS3Url(options.from)) return restoreFolder(options, options.from);
  const url = options.from;
  const s3 = options.s3;
  if (!s3)
    throw new BackupError('BACKUP_INCOMPLETE', `${url}: no S3 connection to download it with`);
  const folder = await mkdtemp(join(tmpdir(), 'jewelshot-restore-'));
  try {
    const at = performance.now();
    await downloadBackup(url, s3, folder);
    const ms = Math.round(performance.now() - at);
    options.log(`download from S3: ${ms} ms`);
    const report = await restoreFolder(options, folder, `${url}/${DUMP_FILE}`);
    return {
      ...report,
      steps: [{ step: 'download from S3', ms }, ...report.steps],
      totalMs: report.totalMs + ms,
    };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

async function restoreFolder(
  options: RestoreOptions,
  from: string,
  /** The dump as the operator knows it (its URL for a downloaded one). */
  dumpName?: string,
): Promise<RestoreReport> {
  const steps: RestoreReport['steps'] = [];
  const started = performance.now();
  const step = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const at = performance.now();
    const result = await work();
    const ms = Math.round(performance.now() - at);
    steps.push({ step: name, ms });
    options.log(`${name}: ${ms} ms`);
    return result;
  };

  const manifest = await step('read manifest', () => readManifest(from));
  const dumpPath = join(from, manifest.dump.file);
  const shown = dumpName ?? dumpPath;
  await step('check sha-256', async () => {
    const actual = await sha256File(dumpPath).catch(() => null);
    if (!actual) throw new BackupError('BACKUP_INCOMPLETE', `${shown}: the dump file is missing`);
    if (actual.bytes !== manifest.dump.bytes || actual.sha256 !== manifest.dump.sha256)
      throw new BackupError(
        'BACKUP_CORRUPT',
        `${shown} is corrupt: ${actual.bytes} bytes with SHA-256 ${actual.sha256}, the manifest says ${manifest.dump.bytes} bytes with ${manifest.dump.sha256}. Nothing was restored.`,
      );
  });
  await step('prepare target', () => prepareTarget(options));
  await step('pg_restore', () =>
    runTool(
      pgTool('pg_restore'),
      [
        '--no-password',
        '--no-owner',
        '--single-transaction',
        '--exit-on-error',
        '-d',
        pgEnv(options.to).PGDATABASE ?? '',
        dumpPath,
      ],
      options.to,
    ),
  );
  const migrationsApplied = await step('newer migrations', () => options.migrate(options.to));
  const problems: string[] = [];
  await step('verify manifest', async () => {
    const client = new Client({ connectionString: options.to });
    await client.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const facts = await readDatabaseFacts(client, options.sections);
      await client.query('COMMIT');
      problems.push(...compareFacts(manifest, facts));
    } finally {
      await client.end();
    }
  });
  for (const check of options.checks)
    await step(check.name, async () => {
      problems.push(...(await check.run(options.to)).map((problem) => `${check.name}: ${problem}`));
    });
  return {
    manifest,
    steps,
    migrationsApplied,
    problems,
    totalMs: Math.round(performance.now() - started),
  };
}

export async function readManifest(folder: string): Promise<BackupManifest> {
  let text: string;
  try {
    text = await readFile(join(folder, MANIFEST_FILE), 'utf8');
  } catch {
    const exists = await stat(folder).catch(() => null);
    throw new BackupError(
      'BACKUP_INCOMPLETE',
      exists
        ? `${folder} has no ${MANIFEST_FILE}: not a complete backup`
        : `${folder}: no such backup folder`,
    );
  }
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(text) as BackupManifest;
  } catch {
    throw new BackupError('BACKUP_CORRUPT', `${join(folder, MANIFEST_FILE)} is not valid JSON`);
  }
  if (manifest.format !== MANIFEST_FORMAT || !manifest.dump?.sha256)
    throw new BackupError(
      'BACKUP_CORRUPT',
      `${join(folder, MANIFEST_FILE)}: unknown manifest format ${String(manifest.format)}`,
    );
  manifest.dump.file ||= DUMP_FILE;
  return manifest;
}

async function prepareTarget(options: RestoreOptions): Promise<void> {
  await createDatabaseIfMissing(options.to);
  const client = new Client({ connectionString: options.to });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`,
    );
    const tables = Number(rows[0]?.n ?? 0);
    if (tables > 0) {
      if (!options.force)
        throw new BackupError(
          'RESTORE_TARGET_NOT_EMPTY',
          `the target database has ${tables} table(s): nothing was restored. Restore into an empty database, or pass --force to drop its public schema first.`,
        );
      options.log(`--force: dropping the target's public schema (${tables} table(s))`);
      await client.query('DROP SCHEMA public CASCADE');
      await client.query('CREATE SCHEMA public');
    }
    for (const role of options.roles) {
      await client.query(
        `DO $$ BEGIN
           IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${role.replace(/'/g, "''")}') THEN
             CREATE ROLE "${role.replace(/"/g, '""')}" NOLOGIN NOSUPERUSER NOBYPASSRLS;
           END IF;
         END $$`,
      );
    }
  } finally {
    await client.end();
  }
}

async function createDatabaseIfMissing(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}
