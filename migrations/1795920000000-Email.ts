import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * libs/email: every message asked for (email_messages) and the types each user turned off
 * (email_opt_outs). Both hold one user's rows, so both get the owner policy of RowSecurity: the
 * API reaches them in a RowScope (the user's own, or allUsers for the admin list), the worker
 * and the CLI see every row. The cap counts email_messages by (user, template) and (address,
 * template) over the last hour: the two indexes serve those counts.
 */
export class Email1795920000000 implements MigrationInterface {
  name = 'Email1795920000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "email_messages" (
        "id" uuid NOT NULL,
        "user_id" uuid,
        "to_address" character varying(254) NOT NULL,
        "template" character varying(40) NOT NULL,
        "language" character varying(8) NOT NULL,
        "subject" character varying(300) NOT NULL,
        "status" character varying(16) NOT NULL,
        "html" text,
        "text" text,
        "headers" jsonb NOT NULL,
        "provider_id" character varying(200),
        "attempts" integer NOT NULL DEFAULT '0',
        "last_error" character varying(1000),
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "sent_at" TIMESTAMP WITH TIME ZONE,
        CONSTRAINT "email_messages_status_check" CHECK ("status" IN ('queued', 'sent', 'failed', 'suppressed', 'rate_limited')),
        CONSTRAINT "email_messages_pkey" PRIMARY KEY ("id")
      )`);
    await queryRunner.query(
      `CREATE INDEX "email_messages_user_template" ON "email_messages" ("user_id", "template", "created_at")`,
    );
    await queryRunner.query(
      `CREATE INDEX "email_messages_address_template" ON "email_messages" ("to_address", "template", "created_at")`,
    );
    await queryRunner.query(
      `CREATE INDEX "email_messages_created_at" ON "email_messages" ("created_at")`,
    );
    await queryRunner.query(`
      CREATE TABLE "email_opt_outs" (
        "user_id" uuid NOT NULL,
        "type" character varying(40) NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "email_opt_outs_pkey" PRIMARY KEY ("user_id", "type")
      )`);
    for (const table of ['email_messages', 'email_opt_outs']) {
      await queryRunner.query(`ALTER TABLE "${table}" ENABLE ROW LEVEL SECURITY`);
      await queryRunner.query(`ALTER TABLE "${table}" FORCE ROW LEVEL SECURITY`);
      await queryRunner.query(`
        CREATE POLICY "${table}_owner" ON "${table}"
          USING ("user_id" = NULLIF(current_setting('app.user_id', true), '')::uuid
                 OR current_setting('app.all_users', true) = 'on')
          WITH CHECK ("user_id" = NULLIF(current_setting('app.user_id', true), '')::uuid
                      OR current_setting('app.all_users', true) = 'on')`);
    }
    // The cap per address counts every user's messages to it, while the API sees only one
    // user's rows: this function may count past the policy (a function-level SET, as for
    // users_open_credit_account) and hands back a number, never a row.
    await queryRunner.query(`
      CREATE FUNCTION "email_recent_to_address"(address varchar, tmpl varchar) RETURNS integer
        LANGUAGE sql STABLE SET app.all_users = 'on' AS $$
          SELECT count(*)::int FROM email_messages
           WHERE to_address = address AND template = tmpl
             AND status NOT IN ('rate_limited', 'suppressed')
             AND created_at > now() - interval '1 hour'
        $$`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION "email_recent_to_address"(varchar, varchar)`);
    await queryRunner.query(`DROP TABLE "email_opt_outs"`);
    await queryRunner.query(`DROP TABLE "email_messages"`);
  }
}
