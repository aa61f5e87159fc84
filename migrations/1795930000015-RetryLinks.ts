import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An admin's retry of a failed job, linked both ways that matter for money:
 * - `ai_jobs.retry_of`: the failed job a new job runs again. Unique, so a failed job is run
 *   again once, however many times (or however concurrently) the retry is asked for.
 * - `credit_holds.funded_by`: the grant entry that paid for a free retry's hold. A released
 *   hold takes its grant back, so a free retry that does not succeed leaves no credits behind.
 */
export class RetryLinks1795930000015 implements MigrationInterface {
  name = 'RetryLinks1795930000015';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "ai_jobs" ADD "retry_of" uuid`);
    await queryRunner.query(`CREATE UNIQUE INDEX "ai_jobs_retry_of_key" ON "ai_jobs" ("retry_of")`);
    await queryRunner.query(
      `ALTER TABLE "ai_jobs" ADD CONSTRAINT "ai_jobs_retry_of_fkey" FOREIGN KEY ("retry_of") REFERENCES "ai_jobs"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(`ALTER TABLE "credit_holds" ADD "funded_by" character varying(128)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "credit_holds" DROP COLUMN "funded_by"`);
    await queryRunner.query(`ALTER TABLE "ai_jobs" DROP CONSTRAINT "ai_jobs_retry_of_fkey"`);
    await queryRunner.query(`DROP INDEX "public"."ai_jobs_retry_of_key"`);
    await queryRunner.query(`ALTER TABLE "ai_jobs" DROP COLUMN "retry_of"`);
  }
}
