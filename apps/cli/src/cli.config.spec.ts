import { threadPoolCheck } from '@jewelshot/ai-jobs';
import { s3BackupTargetOf } from '@jewelshot/backup';
import { ConfigError, loadConfig } from '@jewelshot/platform';
import { CLI_CONFIG_SECTIONS } from './cli.config';

function load(env: NodeJS.ProcessEnv) {
  return loadConfig(CLI_CONFIG_SECTIONS, env, [threadPoolCheck]);
}

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    load(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('the backup target in the commands’ config', () => {
  it('keeps backups in BACKUP_DIR by default', () => {
    const config = load({});
    expect(config.BACKUP_TARGET).toBe('local');
    expect(s3BackupTargetOf(config, { region: 'x', timeoutMs: 1 })).toBeUndefined();
  });

  it('refuses BACKUP_TARGET=s3 without its bucket or an S3 region', () => {
    expect(problemsOf({ BACKUP_TARGET: 's3' })).toEqual([
      'BACKUP_S3_BUCKET: required when BACKUP_TARGET=s3',
      'S3_REGION: required when BACKUP_TARGET=s3',
    ]);
    expect(problemsOf({ BACKUP_TARGET: 'ftp' })).toEqual([
      expect.stringMatching(/^BACKUP_TARGET:/),
    ]);
    expect(problemsOf({ BACKUP_S3_PREFIX: '/leading/slash' })).toEqual([
      expect.stringMatching(/^BACKUP_S3_PREFIX:/),
    ]);
  });

  it('targets the backup bucket through the S3_* connection', () => {
    const config = load({
      BACKUP_TARGET: 's3',
      BACKUP_S3_BUCKET: 'jewelshot-backups',
      BACKUP_S3_PREFIX: 'prod/db',
      S3_REGION: 'eu-west-1',
    });
    const connection = { region: config.S3_REGION ?? '', timeoutMs: 5000 };
    expect(s3BackupTargetOf(config, connection)).toEqual({
      bucket: 'jewelshot-backups',
      prefix: 'prod/db',
      connection,
    });
  });
});
