import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Every table that holds one user's rows, each with its `user_id` column. */
const USER_TABLES = [
  'sessions',
  'credit_accounts',
  'credit_holds',
  'credit_entries',
  'batches',
  'ai_jobs',
  'idempotency_keys',
  'files',
];

/**
 * The API's role: it cannot log in by itself (a login role is a member of it in production;
 * in development and tests the superuser of DATABASE_URL switches to it on each connection)
 * and cannot bypass row-level security. Keep in step with API_DB_ROLE in
 * libs/platform/src/database/row-access.ts.
 */
const API_ROLE = 'jewelshot_api';

/**
 * Row-level security on the user-owned tables: a query that forgets its `WHERE user_id` still
 * sees only the rows of the user its transaction was scoped to (`app.user_id`, set
 * transaction-locally by RowScope), and a transaction scoped to nobody sees and writes nothing.
 * `app.all_users = 'on'` is the deliberate see-everything switch: set on every connection of
 * the worker, the CLI and the migrations, and transaction-locally by RowScope.allUsers for the
 * API's admin paths. FORCE makes the table owner obey the policy too (only superusers and
 * BYPASSRLS roles skip it).
 */
export class RowSecurity1795900000000 implements MigrationInterface {
  name = 'RowSecurity1795900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Roles are cluster-wide and every test run migrates a new database, possibly at the same
    // time as another run: create the role once, and take a concurrent creation as done.
    await queryRunner.query(`
      DO $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${API_ROLE}') THEN
          CREATE ROLE "${API_ROLE}" NOLOGIN NOSUPERUSER NOBYPASSRLS;
        END IF;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
      END
      $$`);
    // Reading and writing rows is all the API does: no DDL, no TRUNCATE, nothing on the
    // migrations' own bookkeeping. Tables and sequences created later get the same grants.
    await queryRunner.query(`GRANT USAGE ON SCHEMA public TO "${API_ROLE}"`);
    await queryRunner.query(
      `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "${API_ROLE}"`,
    );
    await queryRunner.query(
      `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "${API_ROLE}"`,
    );
    await queryRunner.query(`REVOKE ALL ON "schema_migrations" FROM "${API_ROLE}"`);
    await queryRunner.query(
      `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO "${API_ROLE}"`,
    );
    await queryRunner.query(
      `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO "${API_ROLE}"`,
    );

    for (const table of USER_TABLES) {
      await queryRunner.query(`ALTER TABLE "${table}" ENABLE ROW LEVEL SECURITY`);
      await queryRunner.query(`ALTER TABLE "${table}" FORCE ROW LEVEL SECURITY`);
      // NULLIF: once a transaction that set app.user_id ends, the connection keeps the
      // setting as '' (not NULL), which must match nobody rather than fail the uuid cast.
      await queryRunner.query(`
        CREATE POLICY "${table}_owner" ON "${table}"
          USING ("user_id" = NULLIF(current_setting('app.user_id', true), '')::uuid
                 OR current_setting('app.all_users', true) = 'on')
          WITH CHECK ("user_id" = NULLIF(current_setting('app.user_id', true), '')::uuid
                      OR current_setting('app.all_users', true) = 'on')`);
    }

    // Sign-up inserts the user before its id is known to anyone, and this trigger opens its
    // account in that same statement: the function itself is allowed to write the one row it
    // inserts (for NEW.id, nothing else), whoever runs it. A function-level SET rather than
    // SECURITY DEFINER: the owner is subject to the policy too (FORCE), and the setting is
    // restored when the function returns.
    await queryRunner.query(
      `ALTER FUNCTION "users_open_credit_account"() SET app.all_users = 'on'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER FUNCTION "users_open_credit_account"() RESET app.all_users`);
    for (const table of [...USER_TABLES].reverse()) {
      await queryRunner.query(`DROP POLICY "${table}_owner" ON "${table}"`);
      await queryRunner.query(`ALTER TABLE "${table}" NO FORCE ROW LEVEL SECURITY`);
      await queryRunner.query(`ALTER TABLE "${table}" DISABLE ROW LEVEL SECURITY`);
    }
    await queryRunner.query(
      `ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE USAGE, SELECT ON SEQUENCES FROM "${API_ROLE}"`,
    );
    await queryRunner.query(
      `ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM "${API_ROLE}"`,
    );
    await queryRunner.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM "${API_ROLE}"`);
    await queryRunner.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM "${API_ROLE}"`);
    await queryRunner.query(`REVOKE USAGE ON SCHEMA public FROM "${API_ROLE}"`);
    // The role stays: it is cluster-wide and other databases of the cluster may use it.
  }
}
