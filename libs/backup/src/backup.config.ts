import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { defineConfig, toInt, type PlatformConfig, type S3Connection } from '@jewelshot/platform';
import type { S3BackupTarget } from './s3-store';

/** Where logical backups go, how often the worker takes one, and how many are kept. */
export class BackupVariables {
  /** Folder of the backups, one sub-folder per backup (relative paths are from the working directory); with BACKUP_TARGET=s3 only the staging of the one being uploaded. */
  @IsString()
  BACKUP_DIR = 'var/backups';

  /** Where backups are kept: `local` (BACKUP_DIR) or `s3` (BACKUP_S3_BUCKET, reached with the S3_* variables). */
  @IsIn(['local', 's3'])
  BACKUP_TARGET: 'local' | 's3' = 'local';

  /** The bucket of the backups with BACKUP_TARGET=s3 (keep it apart from S3_BUCKET, with versioning on). */
  @IsOptional()
  @IsString()
  BACKUP_S3_BUCKET?: string;

  /** Key prefix of the backups in BACKUP_S3_BUCKET: `<prefix>/<backup>/backup.dump` and `backup.json`. */
  @Matches(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, {
    message: 'BACKUP_S3_PREFIX must be path segments of letters, digits, dot, dash or underscore',
  })
  BACKUP_S3_PREFIX = 'backups';

  /** When the worker takes a backup: a cron pattern (UTC), hourly by default; `off`: never. */
  @IsString()
  @Matches(/^(off|\S+( \S+){4,5})$/, {
    message: 'BACKUP_CRON must be a cron pattern of 5 or 6 fields, or off',
  })
  BACKUP_CRON = '0 * * * *';

  /** Hourly backups kept (the newest of each hour). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(10_000)
  BACKUP_KEEP_HOURLY = 24;

  /** Daily backups kept (the newest of each UTC day). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(10_000)
  BACKUP_KEEP_DAILY = 7;

  /** Weekly backups kept (the newest of each ISO week). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(10_000)
  BACKUP_KEEP_WEEKLY = 4;
}

export const backupConfig = defineConfig({
  name: 'backup',
  variables: BackupVariables,
  check: (config, given) => {
    const problems: string[] = [];
    if (config.BACKUP_TARGET === 's3') {
      if (!given.has('BACKUP_S3_BUCKET'))
        problems.push('BACKUP_S3_BUCKET: required when BACKUP_TARGET=s3');
      // The connection is the ai-jobs section's S3_* (the apps that back up load it too).
      if (!given.has('S3_REGION')) problems.push('S3_REGION: required when BACKUP_TARGET=s3');
    }
    return problems;
  },
});

export type BackupConfig = Readonly<BackupVariables> & PlatformConfig;

export const BACKUP_CONFIG = backupConfig.token;

/** The S3 target of BACKUP_TARGET=s3 (reached through `connection`, the S3_* variables), else undefined. */
export function s3BackupTargetOf(
  config: Pick<BackupConfig, 'BACKUP_TARGET' | 'BACKUP_S3_BUCKET' | 'BACKUP_S3_PREFIX'>,
  connection: S3Connection,
): S3BackupTarget | undefined {
  if (config.BACKUP_TARGET !== 's3') return undefined;
  return { bucket: config.BACKUP_S3_BUCKET ?? '', prefix: config.BACKUP_S3_PREFIX, connection };
}
