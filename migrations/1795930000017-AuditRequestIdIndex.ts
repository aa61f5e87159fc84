import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Audit events by the request that recorded them: the admin console finds its change's event so. */
export class AuditRequestIdIndex1795930000017 implements MigrationInterface {
  name = 'AuditRequestIdIndex1795930000017';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "audit_events_request_id_idx" ON "audit_events" ("request_id", "seq")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."audit_events_request_id_idx"`);
  }
}
