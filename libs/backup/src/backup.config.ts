import { Transform } from 'class-transformer';
import { IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { defineConfig, toInt, type PlatformConfig } from '@jewelshot/platform';

/** Where logical backups go, how often the worker takes one, and how many are kept. */
export class BackupVariables {
  /** Folder of the backups, one sub-folder per backup (relative paths are from the working directory). */
  @IsString()
  BACKUP_DIR = 'var/backups';

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

export const backupConfig = defineConfig({ name: 'backup', variables: BackupVariables });

export type BackupConfig = Readonly<BackupVariables> & PlatformConfig;

export const BACKUP_CONFIG = backupConfig.token;
