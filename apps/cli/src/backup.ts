/**
 * npm run backup — one logical backup (pg_dump -Fc + backup.json) into BACKUP_DIR, or uploaded
 * to BACKUP_S3_BUCKET with BACKUP_TARGET=s3, then the retention policy. Prints the backup's
 * folder (or s3:// URL) as its last line; exits 1 when it fails.
 */
import { s3ConnectionOf } from '@jewelshot/ai-jobs';
import {
  BACKUP_MANIFEST_SECTIONS,
  pruneBackups,
  s3BackupTargetOf,
  takeBackup,
} from '@jewelshot/backup';
import { preflightOrExit } from '@jewelshot/platform';
import { commandArgsOrExit } from './cli-args';
import { loadCliConfigOrExit } from './cli.config';

async function main(): Promise<void> {
  commandArgsOrExit('backup', 'npm run backup', {});
  const config = loadCliConfigOrExit();
  await preflightOrExit(config, { redis: false });
  const s3 = s3BackupTargetOf(config, s3ConnectionOf(config));
  const { folder, manifest } = await takeBackup({
    databaseUrl: config.DATABASE_URL,
    dir: config.BACKUP_DIR,
    sections: BACKUP_MANIFEST_SECTIONS,
    s3,
  });
  const deleted = await pruneBackups(
    config.BACKUP_DIR,
    {
      hourly: config.BACKUP_KEEP_HOURLY,
      daily: config.BACKUP_KEEP_DAILY,
      weekly: config.BACKUP_KEEP_WEEKLY,
    },
    s3,
  );
  process.stdout.write(
    `Backup of ${manifest.database} at ${manifest.createdAt}: ${manifest.dump.bytes} bytes in ${manifest.durationMs} ms, migration ${manifest.migration.latest ?? 'none'}\n`,
  );
  if (deleted.length > 0) process.stdout.write(`Retention deleted ${deleted.length} backup(s)\n`);
  process.stdout.write(`${folder}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `backup failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
