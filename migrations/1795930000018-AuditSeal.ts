import { createHmac } from 'node:crypto';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The development key and the seal as libs/audit had them when this migration was written
 * (DEV_AUDIT_CHAIN_KEY, sealOf): frozen here, as a migration's own code is.
 */
const DEV_AUDIT_CHAIN_KEY = 'dev-only-audit-chain-key-change-me-0123456';
const sealOf = (hash: string, key: string) => createHmac('sha256', key).update(hash).digest('hex');

/** Events sealed per statement. */
const PAGE = 5000;

/** The key the apps will run with, as the audit config would accept it. */
function chainKey(): string {
  const given = process.env.AUDIT_CHAIN_KEY ?? '';
  if (process.env.NODE_ENV === 'production' && (given === '' || given === DEV_AUDIT_CHAIN_KEY))
    throw new Error('AUDIT_CHAIN_KEY must be set explicitly to seal the audit events written');
  if (given !== '' && given.length < 32)
    throw new Error('AUDIT_CHAIN_KEY must be at least 32 characters');
  return given === '' ? DEV_AUDIT_CHAIN_KEY : given;
}

/**
 * Every audit event gets a seal: HMAC-SHA256 over its hash with AUDIT_CHAIN_KEY, which the
 * database does not hold. The events already written are sealed here with the key this
 * migration runs with (the one the apps will run with; the key never reaches the database):
 * the seal attests what they say now. A page of events per statement, in seq order.
 */
export class AuditSeal1795930000018 implements MigrationInterface {
  name = 'AuditSeal1795930000018';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "audit_events" ADD "seal" character varying(64)`);
    const [first] = (await queryRunner.query(
      `SELECT 1 AS one FROM "audit_events" LIMIT 1`,
    )) as unknown[];
    if (first !== undefined) {
      const key = chainKey();
      // The append-only trigger refuses every UPDATE: off for these, inside the migration's own
      // transaction (ALTER TABLE is transactional), so no other writer ever sees it off.
      if (!queryRunner.isTransactionActive)
        throw new Error(
          'AuditSeal must run in a transaction (migrations run with transaction: each)',
        );
      await queryRunner.query(
        `ALTER TABLE "audit_events" DISABLE TRIGGER "audit_events_append_only"`,
      );
      let after = '0';
      for (;;) {
        const rows = (await queryRunner.query(
          `SELECT "seq"::text AS seq, "hash" FROM "audit_events" WHERE "seq" > $1 ORDER BY "seq" LIMIT ${PAGE}`,
          [after],
        )) as Array<{ seq: string; hash: string }>;
        if (rows.length === 0) break;
        await queryRunner.query(
          `UPDATE "audit_events" a SET "seal" = v.seal
             FROM unnest($1::bigint[], $2::text[]) AS v(seq, seal) WHERE a."seq" = v.seq`,
          [rows.map((row) => row.seq), rows.map((row) => sealOf(row.hash, key))],
        );
        after = (rows[rows.length - 1] as { seq: string }).seq;
      }
      await queryRunner.query(
        `ALTER TABLE "audit_events" ENABLE TRIGGER "audit_events_append_only"`,
      );
    }
    await queryRunner.query(`ALTER TABLE "audit_events" ALTER COLUMN "seal" SET NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "audit_events" DROP COLUMN "seal"`);
  }
}
