import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Each index: its name and what follows `ON` in its CREATE INDEX. */
const INDEXES: Array<[name: string, definition: string]> = [
  ['ai_jobs_created_at_id_idx', `"ai_jobs" ("created_at", "id")`],
  ['credit_holds_user_id_created_at_id_idx', `"credit_holds" ("user_id", "created_at", "id")`],
  [
    'credit_holds_refunded_settled_at_idx',
    `"credit_holds" ("settled_at") WHERE "status" IN ('voided', 'expired')`,
  ],
  ['credit_entries_created_at_idx', `"credit_entries" ("created_at")`],
  ['files_user_id_bytes_idx', `"files" ("user_id", "bytes")`],
  ['audit_events_action_seq_idx', `"audit_events" ("action", "seq")`],
  ['email_messages_status_created_at', `"email_messages" ("status", "created_at")`],
];

/**
 * Built CONCURRENTLY, so a deploy does not stop writes to these tables (jobs, the ledger, files,
 * the audit record, mail) for as long as each index takes to build on a large table; that
 * cannot run inside a transaction, hence `transaction = false` (a runner that wraps the
 * migration in a transaction all the same, as TypeORM's revert does, gets plain statements).
 * An index of the same name left invalid by a build that failed half-way is dropped and built
 * again; a valid one is kept, so the migration can be run again after such a failure.
 */
async function createIndex(
  queryRunner: QueryRunner,
  name: string,
  definition: string,
): Promise<void> {
  const concurrently = queryRunner.isTransactionActive ? '' : ' CONCURRENTLY';
  const [existing] = (await queryRunner.query(
    `SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
      WHERE c.relname = $1 AND c.relnamespace = 'public'::regnamespace`,
    [name],
  )) as Array<{ valid: boolean }>;
  if (existing?.valid) return;
  if (existing) await queryRunner.query(`DROP INDEX${concurrently} "public"."${name}"`);
  await queryRunner.query(`CREATE INDEX${concurrently} "${name}" ON ${definition}`);
}

async function dropIndex(queryRunner: QueryRunner, name: string): Promise<void> {
  const concurrently = queryRunner.isTransactionActive ? '' : ' CONCURRENTLY';
  await queryRunner.query(`DROP INDEX${concurrently} IF EXISTS "public"."${name}"`);
}

/**
 * Indexes for the lists and sums that read whole tables as data grows (found by seeding 300,000
 * jobs, 876,000 ledger entries and 100,000 audit events): the admin's job list (every page read
 * and sorted every job), a seller's hold history, storage used (summed every file row of the
 * user on every upload), the ledger summary, the audit list by action, the mail log by status.
 * A user's holds by creation replace the index of their user id alone.
 */
export class ListIndexes1795930000020 implements MigrationInterface {
  name = 'ListIndexes1795930000020';
  transaction = false;

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const [name, definition] of INDEXES) await createIndex(queryRunner, name, definition);
    await dropIndex(queryRunner, 'credit_holds_user_id_idx');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await createIndex(queryRunner, 'credit_holds_user_id_idx', `"credit_holds" ("user_id")`);
    for (const [name] of [...INDEXES].reverse()) await dropIndex(queryRunner, name);
  }
}
