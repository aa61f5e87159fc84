import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Whether the account's owner was mailed that the available balance fell below
 * LOW_CREDITS_THRESHOLD: one mail per crossing (libs/credit-ledger/src/services/low-credits.ts).
 */
export class LowCredits1795920000002 implements MigrationInterface {
  name = 'LowCredits1795920000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "credit_accounts" ADD "low_credits_notified" boolean NOT NULL DEFAULT false`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "credit_accounts" DROP COLUMN "low_credits_notified"`);
  }
}
