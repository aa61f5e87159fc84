/**
 * npm run backup — one logical backup (pg_dump -Fc + backup.json) into BACKUP_DIR, then the
 * retention policy. Prints the backup's folder as its last line; exits 1 when it fails.
 */
import { BACKUP_MANIFEST_SECTIONS, pruneBackups, takeBackup } from '@jewelshot/backup';
import { preflightOrExit } from '@jewelshot/platform';
import { loadCliConfigOrExit } from './cli.config';

async function main(): Promise<void> {
  const config = loadCliConfigOrExit();
  await preflightOrExit(config, { redis: false });
  const { folder, manifest } = await takeBackup({
    databaseUrl: config.DATABASE_URL,
    dir: config.BACKUP_DIR,
    sections: BACKUP_MANIFEST_SECTIONS,
  });
  const deleted = await pruneBackups(config.BACKUP_DIR, {
    hourly: config.BACKUP_KEEP_HOURLY,
    daily: config.BACKUP_KEEP_DAILY,
    weekly: config.BACKUP_KEEP_WEEKLY,
  });
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
