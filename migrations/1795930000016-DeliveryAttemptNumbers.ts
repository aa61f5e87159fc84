import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A delivery attempt's number is unique per (event, endpoint). Attempts recorded at once
 * (manual retries racing) could count the same number; those already recorded are numbered
 * again in the order they were made, then the unique index (which also serves the lookups by
 * event the old index did) holds it.
 */
export class DeliveryAttemptNumbers1795930000016 implements MigrationInterface {
  name = 'DeliveryAttemptNumbers1795930000016';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `UPDATE "webhook_deliveries" d SET "attempt" = n.attempt
         FROM (SELECT "id", row_number() OVER (PARTITION BY "event_id", "endpoint_id"
                                                ORDER BY "created_at", "attempt", "id")::int AS attempt
                 FROM "webhook_deliveries") n
        WHERE d."id" = n."id" AND d."attempt" <> n.attempt`,
    );
    await queryRunner.query(`DROP INDEX "public"."webhook_deliveries_event"`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "webhook_deliveries_attempt_key" ON "webhook_deliveries" ("event_id", "endpoint_id", "attempt")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."webhook_deliveries_attempt_key"`);
    await queryRunner.query(
      `CREATE INDEX "webhook_deliveries_event" ON "webhook_deliveries" ("event_id")`,
    );
  }
}
