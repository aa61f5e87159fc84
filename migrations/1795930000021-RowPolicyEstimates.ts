import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Every table with the owner policy of RowSecurity (and of Email, Webhooks, ApiKeys). */
const POLICY_TABLES = [
  'sessions',
  'credit_accounts',
  'credit_holds',
  'credit_entries',
  'batches',
  'ai_jobs',
  'idempotency_keys',
  'files',
  'email_messages',
  'email_opt_outs',
  'webhook_endpoints',
  'webhook_events',
  'webhook_deliveries',
  'api_keys',
];

const BEFORE = `"user_id" = NULLIF(current_setting('app.user_id', true), '')::uuid
                 OR current_setting('app.all_users', true) = 'on'`;

/**
 * The same rule as before, written so that the planner estimates it sensibly, and reads each
 * setting once per statement rather than once per row. As `a OR b`, PostgreSQL took the rule to
 * keep about 0.5 % of a table's rows: an admin's query (every row passes) with a LIMIT then
 * chose to read and sort a whole table over walking an index that stops after the page (the
 * admin's jobs filtered by status read all 300,000 rows for 21). As a CASE its estimate is a
 * half; as scalar subqueries the settings are read once. Who sees what is unchanged: every row
 * with `app.all_users = 'on'`; otherwise the rows of `app.user_id`; none with neither (the
 * row-security suite reads under seven combinations of the settings, and writes under a scope,
 * under none and across users).
 */
const AFTER = `CASE WHEN (SELECT current_setting('app.all_users', true)) = 'on' THEN true
                 ELSE "user_id" = (SELECT NULLIF(current_setting('app.user_id', true), '')::uuid) END`;

export class RowPolicyEstimates1795930000021 implements MigrationInterface {
  name = 'RowPolicyEstimates1795930000021';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const table of POLICY_TABLES)
      await queryRunner.query(
        `ALTER POLICY "${table}_owner" ON "${table}" USING (${AFTER}) WITH CHECK (${AFTER})`,
      );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of POLICY_TABLES)
      await queryRunner.query(
        `ALTER POLICY "${table}_owner" ON "${table}" USING (${BEFORE}) WITH CHECK (${BEFORE})`,
      );
  }
}
