/**
 * Backups' public face: logical backups with their manifest, retention, the verified restore
 * and the worker's schedule (test/integration/public-faces.spec.ts snapshots it).
 */
export { BACKUP_CONFIG, backupConfig, s3BackupTargetOf } from './backup.config';
export type { BackupConfig } from './backup.config';
export { BACKUP_FAILURE_CODES, BackupError } from './backup.errors';
export type { BackupFailureCode } from './backup.errors';
export { listBackups, pruneBackups, takeBackup } from './backup-writer';
export type { BackupResult, StoredBackup } from './backup-writer';
export { DUMP_FILE, MANIFEST_FILE } from './manifest';
export type { BackupManifest, ManifestSection } from './manifest';
export { BACKUP_MANIFEST_SECTIONS } from './manifest-sections';
export { readManifest, restoreBackup } from './restore';
export type { RestoreCheck, RestoreReport } from './restore';
export { backupsToDelete } from './retention';
export type { RetentionPolicy } from './retention';
export { BackupScheduleModule } from './backup.module';
export { BACKUP_QUEUE, BACKUP_SCHEDULER } from './backup.schedule';
export type { S3BackupTarget } from './s3-store';
