import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Wakes the worker's outbox dispatcher when events commit: a statement trigger on
 * `domain_events` notifies the `domain_events` channel. PostgreSQL delivers a notification only
 * when (and if) the inserting transaction commits and folds a transaction's identical
 * notifications into one, so a change that rolls back wakes no one and a busy transaction wakes
 * the dispatcher once. The trigger runs as the inserting role (NOTIFY needs no privilege).
 */
export class EventsNotify1795930000014 implements MigrationInterface {
  name = 'EventsNotify1795930000014';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE FUNCTION "domain_events_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         PERFORM pg_notify('domain_events', '');
         RETURN NULL;
       END $$`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "domain_events_notify" AFTER INSERT ON "domain_events"
       FOR EACH STATEMENT EXECUTE FUNCTION "domain_events_notify"()`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "domain_events_notify" ON "domain_events"`);
    await queryRunner.query(`DROP FUNCTION "domain_events_notify"()`);
  }
}
