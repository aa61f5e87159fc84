import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A user's jobs queued or running: counted under the account's lock by every submit. */
export class UserActiveJobsIndex1795930000019 implements MigrationInterface {
  name = 'UserActiveJobsIndex1795930000019';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "ai_jobs_user_active_idx" ON "ai_jobs" ("user_id") WHERE "status" IN ('queued', 'running')`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ai_jobs_user_active_idx"`);
  }
}
