import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * libs/webhooks: integrators' endpoints (their signing secrets encrypted at rest), the events
 * announced to them (`webhook_events`: one row per announcement, its id is the `webhook-id`)
 * and every delivery attempt. All three hold one user's rows, so all three get the owner
 * policy of RowSecurity: the API reaches them in the owner's RowScope (another user's endpoint
 * is not found), the worker sees every row.
 */
export class Webhooks1795930000000 implements MigrationInterface {
  name = 'Webhooks1795930000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "webhook_endpoints" (
        "id" uuid NOT NULL,
        "user_id" uuid NOT NULL,
        "url" character varying(2048) NOT NULL,
        "description" character varying(500) NOT NULL DEFAULT '',
        "events" character varying(40) array NOT NULL,
        "secret" text NOT NULL,
        "previous_secret" text,
        "previous_secret_expires_at" TIMESTAMP WITH TIME ZONE,
        "enabled" boolean NOT NULL DEFAULT true,
        "disabled_at" TIMESTAMP WITH TIME ZONE,
        "failing_since" TIMESTAMP WITH TIME ZONE,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "webhook_endpoints_pkey" PRIMARY KEY ("id")
      )`);
    await queryRunner.query(
      `CREATE INDEX "webhook_endpoints_user" ON "webhook_endpoints" ("user_id", "created_at")`,
    );
    await queryRunner.query(`
      CREATE TABLE "webhook_events" (
        "id" character varying(64) NOT NULL,
        "user_id" uuid NOT NULL,
        "type" character varying(40) NOT NULL,
        "data" jsonb NOT NULL,
        "endpoint_ids" uuid array NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "webhook_events_pkey" PRIMARY KEY ("id")
      )`);
    await queryRunner.query(
      `CREATE INDEX "webhook_events_user" ON "webhook_events" ("user_id", "created_at")`,
    );
    await queryRunner.query(`
      CREATE TABLE "webhook_deliveries" (
        "id" uuid NOT NULL,
        "event_id" character varying(64) NOT NULL,
        "endpoint_id" uuid NOT NULL,
        "user_id" uuid NOT NULL,
        "attempt" integer NOT NULL,
        "status" character varying(16) NOT NULL,
        "response_status" integer,
        "response_body" character varying(1000),
        "error" character varying(500),
        "duration_ms" integer NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("id")
      )`);
    await queryRunner.query(
      `CREATE INDEX "webhook_deliveries_endpoint" ON "webhook_deliveries" ("endpoint_id", "created_at")`,
    );
    await queryRunner.query(
      `CREATE INDEX "webhook_deliveries_event" ON "webhook_deliveries" ("event_id")`,
    );
    for (const table of ['webhook_endpoints', 'webhook_events', 'webhook_deliveries']) {
      await queryRunner.query(`ALTER TABLE "${table}" ENABLE ROW LEVEL SECURITY`);
      await queryRunner.query(`ALTER TABLE "${table}" FORCE ROW LEVEL SECURITY`);
      await queryRunner.query(`
        CREATE POLICY "${table}_owner" ON "${table}"
          USING ("user_id" = NULLIF(current_setting('app.user_id', true), '')::uuid
                 OR current_setting('app.all_users', true) = 'on')
          WITH CHECK ("user_id" = NULLIF(current_setting('app.user_id', true), '')::uuid
                      OR current_setting('app.all_users', true) = 'on')`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "webhook_deliveries"`);
    await queryRunner.query(`DROP TABLE "webhook_events"`);
    await queryRunner.query(`DROP TABLE "webhook_endpoints"`);
  }
}
