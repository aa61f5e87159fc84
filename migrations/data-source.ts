import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { ABUSE_ENTITIES } from '@jewelshot/abuse';
import { AI_JOBS_ENTITIES } from '@jewelshot/ai-jobs';
import { AUDIT_ENTITIES } from '@jewelshot/audit';
import { CREDIT_LEDGER_ENTITIES } from '@jewelshot/credit-ledger';
import { EMAIL_ENTITIES } from '@jewelshot/email';
import { IDENTITY_ENTITIES } from '@jewelshot/identity';
import { WEBHOOKS_ENTITIES } from '@jewelshot/webhooks';
import { dataSourceOptions, loadConfig, PLATFORM_ENTITIES } from '@jewelshot/platform';

/** Every entity of every lib: what the migrations must describe. */
export const ALL_ENTITIES = [
  ...PLATFORM_ENTITIES,
  ...AUDIT_ENTITIES,
  ...EMAIL_ENTITIES,
  ...IDENTITY_ENTITIES,
  ...CREDIT_LEDGER_ENTITIES,
  ...AI_JOBS_ENTITIES,
  ...WEBHOOKS_ENTITIES,
  ...ABUSE_ENTITIES,
];

/**
 * A DataSource for migration commands and the drift check, from the same options the apps use;
 * a data migration sees every user's rows.
 */
export function migrationDataSource(url: string): DataSource {
  return new DataSource(
    dataSourceOptions(
      { url, poolSize: 2, applicationName: 'jewelshot-migrate', rowAccess: 'all-users' },
      ALL_ENTITIES,
    ),
  );
}

// The TypeORM CLI wants a default export.
export default migrationDataSource(loadConfig([]).DATABASE_URL);
