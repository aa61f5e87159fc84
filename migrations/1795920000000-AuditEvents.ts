import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Keep in step with API_DB_ROLE in libs/platform/src/database/row-access.ts. */
const API_ROLE = 'jewelshot_api';

/**
 * The audit log (libs/audit): append-only, gap-free by `seq`, hash-chained. A trigger refuses
 * UPDATE, DELETE and TRUNCATE for every role, the table owner and superusers included (only
 * disabling the trigger, which needs the owner or a superuser, gets past it, and the chain then
 * shows it). The API's role may read and insert, nothing else.
 */
export class AuditEvents1795920000000 implements MigrationInterface {
  name = 'AuditEvents1795920000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "audit_events" (
        "seq" bigint NOT NULL,
        "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "actor_id" uuid,
        "actor_email" character varying(254),
        "action" character varying(64) NOT NULL,
        "target_type" character varying(32),
        "target_id" character varying(64),
        "outcome" character varying(16) NOT NULL,
        "reason" character varying(500),
        "details" jsonb,
        "before" jsonb,
        "after" jsonb,
        "ip" character varying(64),
        "user_agent" character varying(500),
        "request_id" character varying(128),
        "prev_hash" character varying(64) NOT NULL,
        "hash" character varying(64) NOT NULL,
        CONSTRAINT "audit_events_outcome_check" CHECK ("outcome" IN ('succeeded', 'denied', 'failed')),
        CONSTRAINT "audit_events_seq_check" CHECK ("seq" >= 1),
        CONSTRAINT "audit_events_pkey" PRIMARY KEY ("seq")
      )`);
    await queryRunner.query(
      `CREATE INDEX "audit_events_actor_id_idx" ON "audit_events" ("actor_id", "seq")`,
    );
    await queryRunner.query(
      `CREATE INDEX "audit_events_target_id_idx" ON "audit_events" ("target_id", "seq")`,
    );
    await queryRunner.query(
      `CREATE INDEX "audit_events_occurred_at_idx" ON "audit_events" ("occurred_at")`,
    );
    await queryRunner.query(`
      CREATE FUNCTION "audit_events_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END
      $$`);
    await queryRunner.query(`
      CREATE TRIGGER "audit_events_append_only" BEFORE UPDATE OR DELETE ON "audit_events"
      FOR EACH ROW EXECUTE FUNCTION "audit_events_refuse_change"()`);
    await queryRunner.query(`
      CREATE TRIGGER "audit_events_no_truncate" BEFORE TRUNCATE ON "audit_events"
      FOR EACH STATEMENT EXECUTE FUNCTION "audit_events_refuse_change"()`);
    // The default privileges gave the API everything: it keeps SELECT and INSERT.
    await queryRunner.query(`REVOKE ALL ON "audit_events" FROM "${API_ROLE}"`);
    await queryRunner.query(`GRANT SELECT, INSERT ON "audit_events" TO "${API_ROLE}"`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "audit_events"`);
    await queryRunner.query(`DROP FUNCTION "audit_events_refuse_change"()`);
  }
}
