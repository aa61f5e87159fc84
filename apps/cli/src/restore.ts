/**
 * npm run restore -- --from <backup folder or s3://bucket/prefix/backup> --to <DATABASE_URL> [--force]
 *
 * Downloads an s3:// backup (streamed to a temporary folder; S3 reached with the S3_* variables),
 * checks the dump's SHA-256 before anything else, refuses a target with tables unless --force,
 * restores, runs the newer migrations, compares with the manifest and runs ledger:verify.
 * Prints each step's time. Exits 0 when the restore verified, 1 when it did not (naming each
 * mismatch), 2 when it refused or failed before restoring.
 */
import { s3ConnectionOf } from '@jewelshot/ai-jobs';
import { BACKUP_MANIFEST_SECTIONS, BackupError, restoreBackup } from '@jewelshot/backup';
import { API_DB_ROLE, preflightOrExit } from '@jewelshot/platform';
import { commandArgsOrExit } from './cli-args';
import { loadCliConfigOrExit } from './cli.config';
import { migrateRestored, restoreChecks } from './restore-checks';

function redacted(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(not a URL)';
  }
}

async function main(): Promise<void> {
  const usage =
    'npm run restore -- --from <backup folder or s3:// URL> --to <DATABASE_URL> [--force]';
  const values = commandArgsOrExit('restore', usage, {
    from: { type: 'string' },
    to: { type: 'string' },
    force: { type: 'boolean', default: false },
  });
  const missing = (['from', 'to'] as const).filter((name) => !values[name]);
  if (missing.length > 0 || !values.from || !values.to) {
    const names = missing.map((name) => `--${name}`).join(' and ');
    process.stderr.write(
      `restore: ${names} ${missing.length > 1 ? 'are' : 'is'} required\nusage: ${usage}\n`,
    );
    process.exit(2);
  }
  // The same environment checks as every command (the target is --to, not DATABASE_URL), and
  // the same one line for a target server that does not answer or refuses, before the backup
  // is read (a target database not made yet is made by the restore).
  const config = loadCliConfigOrExit();
  await preflightOrExit(
    { ...config, DATABASE_URL: values.to },
    { redis: false, databaseMayBeMissing: true, urlName: '--to' },
  );
  process.stdout.write(`Restoring ${values.from} into ${redacted(values.to)}\n`);
  const report = await restoreBackup({
    from: values.from,
    s3: s3ConnectionOf(config),
    to: values.to,
    force: values.force ?? false,
    sections: BACKUP_MANIFEST_SECTIONS,
    migrate: migrateRestored,
    checks: restoreChecks(),
    roles: [API_DB_ROLE],
    log: (line) => process.stdout.write(`  ${line}\n`),
  });
  if (report.migrationsApplied.length > 0)
    process.stdout.write(
      `Migrations newer than the backup: ${report.migrationsApplied.join(', ')}\n`,
    );
  const entries = (report.manifest.sections.ledgerTotals as { entries?: number } | undefined)
    ?.entries;
  process.stdout.write(
    `RTO: ${(report.totalMs / 1000).toFixed(1)} s for a backup of ${report.manifest.createdAt}${entries === undefined ? '' : ` (${entries} ledger entries)`}\n`,
  );
  if (report.problems.length === 0) {
    process.stdout.write('Restore verified: manifest matches, checks clean.\n');
    return;
  }
  for (const problem of report.problems) process.stdout.write(`MISMATCH ${problem}\n`);
  process.stdout.write(`Restore NOT verified: ${report.problems.length} problem(s).\n`);
  process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(
    error instanceof BackupError
      ? `restore refused: ${error.code}: ${error.message}\n`
      : `restore failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(2);
});
