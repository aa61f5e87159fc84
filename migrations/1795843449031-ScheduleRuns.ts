import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The last run of each maintenance schedule: the claim that gives one run per interval across
 * workers (no Redis needed), and what /health reads to call an overdue reconcile degraded.
 */
export class ScheduleRuns1795843449031 implements MigrationInterface {
  name = 'ScheduleRuns1795843449031';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "schedule_runs" ("name" character varying(200) NOT NULL, "interval_ms" integer NOT NULL, "last_started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "last_finished_at" TIMESTAMP WITH TIME ZONE, "last_succeeded_at" TIMESTAMP WITH TIME ZONE, "last_duration_ms" integer, "last_error" character varying(500), "runs" integer NOT NULL DEFAULT '0', CONSTRAINT "schedule_runs_pkey" PRIMARY KEY ("name"))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "schedule_runs"`);
  }
}
