import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Keep in step with API_DB_ROLE in libs/platform/src/database/row-access.ts. */
const API_ROLE = 'jewelshot_api';

/**
 * The transactional outbox (libs/platform/src/events): a domain event's row is written in the
 * transaction of the change it announces; the worker dispatches committed rows in `seq` order.
 * The API may only INSERT (it makes the id itself, so it needs no RETURNING): it must not read
 * other users' events, and reading is the worker's and CLI's job (app.all_users = on, and not
 * the API's role).
 */
export class DomainEvents1795910000000 implements MigrationInterface {
  name = 'DomainEvents1795910000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "domain_events" (
        "seq" bigserial PRIMARY KEY,
        "id" uuid NOT NULL UNIQUE,
        "name" varchar(100) NOT NULL,
        "payload" jsonb NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "dispatched_at" timestamptz
      )`);
    await queryRunner.query(
      `CREATE INDEX "domain_events_undispatched" ON "domain_events" ("seq") WHERE "dispatched_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "domain_events_dispatched_at" ON "domain_events" ("dispatched_at") WHERE "dispatched_at" IS NOT NULL`,
    );
    // The default privileges gave the API everything: it keeps INSERT (and the sequence).
    await queryRunner.query(`REVOKE ALL ON "domain_events" FROM "${API_ROLE}"`);
    await queryRunner.query(`GRANT INSERT ON "domain_events" TO "${API_ROLE}"`);
    await queryRunner.query(`GRANT USAGE ON SEQUENCE "domain_events_seq_seq" TO "${API_ROLE}"`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "domain_events"`);
  }
}
