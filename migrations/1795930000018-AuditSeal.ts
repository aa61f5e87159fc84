import { createHmac } from 'node:crypto';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The development key (libs/audit's DEV_AUDIT_CHAIN_KEY): never in production. */
const DEV_AUDIT_CHAIN_KEY = 'dev-only-audit-chain-key-change-me-0123456';

/**
 * Every audit event gets a seal: HMAC-SHA256 over its hash with AUDIT_CHAIN_KEY, which the
 * database does not hold. The events already written are sealed here with the key this
 * migration runs with (the one the apps will run with): what they say now is what the seal
 * attests. In production, with events to seal, the key must be given.
 */
export class AuditSeal1795930000018 implements MigrationInterface {
  name = 'AuditSeal1795930000018';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "audit_events" ADD "seal" character varying(64)`);
    const [{ n }] = (await queryRunner.query(`SELECT count(*)::int AS n FROM "audit_events"`)) as [
      { n: number },
    ];
    if (n > 0) {
      const given = process.env.AUDIT_CHAIN_KEY ?? '';
      if (given === '' && process.env.NODE_ENV === 'production')
        throw new Error('AUDIT_CHAIN_KEY must be set to seal the audit events already written');
      const key = given === '' ? DEV_AUDIT_CHAIN_KEY : given;
      const rows = (await queryRunner.query(`SELECT "seq", "hash" FROM "audit_events"`)) as Array<{
        seq: string;
        hash: string;
      }>;
      // The append-only trigger refuses every UPDATE: off for this one, inside the migration's
      // transaction, so no other writer sees it off.
      await queryRunner.query(
        `ALTER TABLE "audit_events" DISABLE TRIGGER "audit_events_append_only"`,
      );
      for (const row of rows)
        await queryRunner.query(`UPDATE "audit_events" SET "seal" = $1 WHERE "seq" = $2`, [
          createHmac('sha256', key).update(row.hash).digest('hex'),
          row.seq,
        ]);
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
