import { aiJobsConfig, threadPoolCheck } from '@jewelshot/ai-jobs';
import { auditConfig } from '@jewelshot/audit';
import { backupConfig } from '@jewelshot/backup';
import { abuseConfig } from '@jewelshot/abuse';
import { creditLedgerConfig } from '@jewelshot/credit-ledger';
import { emailConfig } from '@jewelshot/email';
import { identityConfig } from '@jewelshot/identity';
import { webhooksConfig } from '@jewelshot/webhooks';
import { type ConfigOf, loadConfigOrExit } from '@jewelshot/platform';

/** The commands read the same environment as the apps, so they refuse the same mistakes. */
export const CLI_CONFIG_SECTIONS = [
  auditConfig,
  emailConfig,
  identityConfig,
  creditLedgerConfig,
  aiJobsConfig,
  webhooksConfig,
  abuseConfig,
  backupConfig,
] as const;

export type CliConfig = ConfigOf<typeof CLI_CONFIG_SECTIONS>;

/** What CliModule's domain modules read (the backup commands read BACKUP_* on top). */
export type CliDomainConfig = ConfigOf<
  readonly [
    typeof identityConfig,
    typeof creditLedgerConfig,
    typeof aiJobsConfig,
    typeof webhooksConfig,
    typeof abuseConfig,
  ]
>;

export function loadCliConfigOrExit(env: NodeJS.ProcessEnv = process.env): CliConfig {
  return loadConfigOrExit(CLI_CONFIG_SECTIONS, env, [threadPoolCheck]);
}
