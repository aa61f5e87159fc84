import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { Client } from 'pg';
import { projectVersion } from '@jewelshot/platform';
import {
  DUMP_FILE,
  MANIFEST_FILE,
  MANIFEST_FORMAT,
  readDatabaseFacts,
  type BackupManifest,
  type ManifestSection,
} from './manifest';
import { pgTool, runTool, sha256File, toolVersion } from './pg-tools';
import { backupsToDelete, type RetentionPolicy } from './retention';
import { pruneS3Backups, uploadBackup, type S3BackupTarget } from './s3-store';

export interface BackupOptions {
  databaseUrl: string;
  /** BACKUP_DIR: one sub-folder per backup (with `s3`: where the backup is staged). */
  dir: string;
  sections: readonly ManifestSection[];
  /** BACKUP_TARGET=s3: the backup is uploaded there and its local copy deleted. */
  s3?: S3BackupTarget;
}

export interface BackupResult {
  /** The backup's folder, or its `s3://bucket/prefix/name` URL. */
  folder: string;
  manifest: BackupManifest;
}

/** A folder still being written: never listed, never restored, swept when stale. */
const PARTIAL_PREFIX = '.partial-';

function absolute(dir: string): string {
  return isAbsolute(dir) ? dir : resolve(process.cwd(), dir);
}

async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Takes one logical backup: `pg_dump -Fc` of the database and its manifest, in a folder of its
 * own under `dir`. The dump and the manifest's figures come from one snapshot (the manifest's
 * transaction exports it, pg_dump --snapshot uses it), so they agree to the row. Written under
 * a `.partial-` name, manifest last, flushed, then renamed: a folder with a manifest is complete.
 */
export async function takeBackup(options: BackupOptions): Promise<BackupResult> {
  const started = performance.now();
  const root = absolute(options.dir);
  await mkdir(root, { recursive: true });
  const partial = join(root, `${PARTIAL_PREFIX}${Date.now()}-${randomBytes(4).toString('hex')}`);
  await mkdir(partial);
  const client = new Client({
    connectionString: options.databaseUrl,
    application_name: 'jewelshot-backup',
  });
  try {
    await client.connect();
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const snapshot = await client.query<{ id: string }>('SELECT pg_export_snapshot() AS id');
    const facts = await readDatabaseFacts(client, options.sections);
    const dumpPath = join(partial, DUMP_FILE);
    const pgDump = pgTool('pg_dump');
    await runTool(
      pgDump,
      ['-Fc', '--no-password', `--snapshot=${snapshot.rows[0]?.id ?? ''}`, '-f', dumpPath],
      options.databaseUrl,
    );
    await client.query('COMMIT');
    await fsyncPath(dumpPath);
    const dump = await sha256File(dumpPath);
    const manifest: BackupManifest = {
      format: MANIFEST_FORMAT,
      createdAt: facts.createdAt,
      database: facts.database,
      migration: facts.migration,
      rowCounts: facts.rowCounts,
      sections: facts.sections,
      dump: { file: DUMP_FILE, ...dump },
      tools: {
        pgDump: await toolVersion(pgDump),
        server: facts.server,
        node: process.version,
        app: projectVersion(),
      },
      durationMs: Math.round(performance.now() - started),
    };
    const manifestPath = join(partial, MANIFEST_FILE);
    await writeFile(`${manifestPath}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`);
    await fsyncPath(`${manifestPath}.tmp`);
    await rename(`${manifestPath}.tmp`, manifestPath);
    const name = folderName(new Date(facts.createdAt));
    if (options.s3) {
      const url = await uploadBackup(options.s3, partial, name);
      await rm(partial, { recursive: true, force: true });
      return { folder: url, manifest };
    }
    const folder = join(root, name);
    await rename(partial, folder);
    await fsyncPath(root);
    return { folder, manifest };
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** `20261128T124500123Z`: sorts by time, safe on every filesystem. */
function folderName(takenAt: Date): string {
  return takenAt.toISOString().replace(/[-:.]/g, '');
}

export interface StoredBackup {
  folder: string;
  takenAt: Date;
}

/** The complete backups under `dir` (the folders with a manifest), oldest first. */
export async function listBackups(dir: string): Promise<StoredBackup[]> {
  const root = absolute(dir);
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return [];
  }
  const backups: StoredBackup[] = [];
  for (const name of names) {
    if (name.startsWith('.')) continue;
    try {
      const manifest = JSON.parse(
        await readFile(join(root, name, MANIFEST_FILE), 'utf8'),
      ) as BackupManifest;
      backups.push({ folder: join(root, name), takenAt: new Date(manifest.createdAt) });
    } catch {
      // no manifest: not a backup of ours (or not a complete one)
    }
  }
  return backups.sort((a, b) => a.takenAt.getTime() - b.takenAt.getTime());
}

/**
 * Deletes the backups the policy does not keep (in `dir`, or in S3 with `s3`), and partial
 * folders and uploads older than a day (a process killed mid-backup). Returns the folders (or
 * URLs) deleted.
 */
export async function pruneBackups(
  dir: string,
  policy: RetentionPolicy,
  s3?: S3BackupTarget,
): Promise<string[]> {
  const root = absolute(dir);
  const deleted: string[] = [];
  if (s3)
    deleted.push(...(await pruneS3Backups(s3, (backups) => backupsToDelete(backups, policy))));
  else
    for (const backup of backupsToDelete(await listBackups(root), policy)) {
      await rm(backup.folder, { recursive: true, force: true });
      deleted.push(backup.folder);
    }
  for (const name of await readdir(root).catch(() => [] as string[])) {
    if (!name.startsWith(PARTIAL_PREFIX)) continue;
    const path = join(root, name);
    const info = await stat(path).catch(() => null);
    if (info && Date.now() - info.mtimeMs > 86_400_000) {
      await rm(path, { recursive: true, force: true });
      deleted.push(path);
    }
  }
  return deleted;
}
