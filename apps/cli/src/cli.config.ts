import { aiJobsConfig, threadPoolCheck } from '@jewelshot/ai-jobs';
import { auditConfig } from '@jewelshot/audit';
import { creditLedgerConfig } from '@jewelshot/credit-ledger';
import { emailConfig } from '@jewelshot/email';
import { identityConfig } from '@jewelshot/identity';
import { type ConfigOf, loadConfigOrExit } from '@jewelshot/platform';

/** The commands read the same environment as the apps, so they refuse the same mistakes. */
export const CLI_CONFIG_SECTIONS = [
  auditConfig,
  emailConfig,
  identityConfig,
  creditLedgerConfig,
  aiJobsConfig,
] as const;

export type CliConfig = ConfigOf<typeof CLI_CONFIG_SECTIONS>;

export function loadCliConfigOrExit(env: NodeJS.ProcessEnv = process.env): CliConfig {
  return loadConfigOrExit(CLI_CONFIG_SECTIONS, env, [threadPoolCheck]);
}
