import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * AI jobs (the truth; BullMQ only points at them), batches, stored files (uploads and outputs),
 * idempotency keys, and each account's queue priority tier.
 */
export class AiJobs1795831063578 implements MigrationInterface {
  name = 'AiJobs1795831063578';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "batches" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "name" character varying(200) NOT NULL, "operation" character varying(32) NOT NULL, "params" jsonb NOT NULL, "total" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "batches_pkey" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "batches_user_id_created_at_idx" ON "batches" ("user_id", "created_at")`,
    );
    await queryRunner.query(
      `CREATE TABLE "ai_jobs" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "batch_id" uuid, "operation" character varying(32) NOT NULL, "params" jsonb NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'queued', "priority" character varying(8) NOT NULL DEFAULT 'normal', "cost" integer NOT NULL, "hold_id" uuid NOT NULL, "attempts" integer NOT NULL DEFAULT '0', "provider_request_id" character varying(200), "provider" character varying(32), "cancel_requested_at" TIMESTAMP WITH TIME ZONE, "error_code" character varying(64), "error_message" character varying(500), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "started_at" TIMESTAMP WITH TIME ZONE, "finished_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "ai_jobs_finished_check" CHECK (("status" IN ('succeeded', 'failed', 'canceled')) = ("finished_at" IS NOT NULL)), CONSTRAINT "ai_jobs_operation_check" CHECK ("operation" IN ('generate', 'edit', 'remove-background', 'upscale')), CONSTRAINT "ai_jobs_priority_check" CHECK ("priority" IN ('high', 'normal', 'low')), CONSTRAINT "ai_jobs_status_check" CHECK ("status" IN ('queued', 'running', 'succeeded', 'failed', 'canceled')), CONSTRAINT "ai_jobs_pkey" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ai_jobs_active_idx" ON "ai_jobs" ("status", "updated_at") WHERE "status" IN ('queued', 'running')`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "ai_jobs_hold_id_key" ON "ai_jobs" ("hold_id")`);
    await queryRunner.query(`CREATE INDEX "ai_jobs_batch_id_idx" ON "ai_jobs" ("batch_id")`);
    await queryRunner.query(
      `CREATE INDEX "ai_jobs_user_id_created_at_idx" ON "ai_jobs" ("user_id", "created_at")`,
    );
    await queryRunner.query(
      `CREATE TABLE "idempotency_keys" ("user_id" uuid NOT NULL, "key" character varying(255) NOT NULL, "request_hash" character(64) NOT NULL, "job_id" uuid, "response_status" integer, "response_body" jsonb, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "idempotency_keys_pkey" PRIMARY KEY ("user_id", "key"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "files" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "kind" character varying(16) NOT NULL, "job_id" uuid, "storage_key" character varying(300) NOT NULL, "content_type" character varying(64) NOT NULL, "bytes" integer NOT NULL, "width" integer NOT NULL, "height" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "files_dimensions_check" CHECK ("width" > 0 AND "height" > 0 AND "bytes" > 0), CONSTRAINT "files_kind_check" CHECK ("kind" IN ('upload', 'output')), CONSTRAINT "files_pkey" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "files_job_id_idx" ON "files" ("job_id")`);
    await queryRunner.query(
      `CREATE INDEX "files_user_id_created_at_idx" ON "files" ("user_id", "created_at")`,
    );
    await queryRunner.query(
      `ALTER TABLE "users" ADD "priority_tier" character varying(8) NOT NULL DEFAULT 'normal'`,
    );
    await queryRunner.query(
      `ALTER TABLE "users" ADD CONSTRAINT "users_priority_tier_check" CHECK ("priority_tier" IN ('high', 'normal', 'low'))`,
    );
    await queryRunner.query(
      `ALTER TABLE "batches" ADD CONSTRAINT "batches_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "ai_jobs" ADD CONSTRAINT "ai_jobs_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "ai_jobs" ADD CONSTRAINT "ai_jobs_batch_id_fkey" FOREIGN KEY ("batch_id") REFERENCES "batches"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "ai_jobs" ADD CONSTRAINT "ai_jobs_hold_id_fkey" FOREIGN KEY ("hold_id") REFERENCES "credit_holds"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "idempotency_keys" ADD CONSTRAINT "idempotency_keys_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "files" ADD CONSTRAINT "files_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "files" ADD CONSTRAINT "files_job_id_fkey" FOREIGN KEY ("job_id") REFERENCES "ai_jobs"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "files" DROP CONSTRAINT "files_job_id_fkey"`);
    await queryRunner.query(`ALTER TABLE "files" DROP CONSTRAINT "files_user_id_fkey"`);
    await queryRunner.query(
      `ALTER TABLE "idempotency_keys" DROP CONSTRAINT "idempotency_keys_user_id_fkey"`,
    );
    await queryRunner.query(`ALTER TABLE "ai_jobs" DROP CONSTRAINT "ai_jobs_hold_id_fkey"`);
    await queryRunner.query(`ALTER TABLE "ai_jobs" DROP CONSTRAINT "ai_jobs_batch_id_fkey"`);
    await queryRunner.query(`ALTER TABLE "ai_jobs" DROP CONSTRAINT "ai_jobs_user_id_fkey"`);
    await queryRunner.query(`ALTER TABLE "batches" DROP CONSTRAINT "batches_user_id_fkey"`);
    await queryRunner.query(`ALTER TABLE "users" DROP CONSTRAINT "users_priority_tier_check"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "priority_tier"`);
    await queryRunner.query(`DROP INDEX "public"."files_user_id_created_at_idx"`);
    await queryRunner.query(`DROP INDEX "public"."files_job_id_idx"`);
    await queryRunner.query(`DROP TABLE "files"`);
    await queryRunner.query(`DROP TABLE "idempotency_keys"`);
    await queryRunner.query(`DROP INDEX "public"."ai_jobs_user_id_created_at_idx"`);
    await queryRunner.query(`DROP INDEX "public"."ai_jobs_batch_id_idx"`);
    await queryRunner.query(`DROP INDEX "public"."ai_jobs_hold_id_key"`);
    await queryRunner.query(`DROP INDEX "public"."ai_jobs_active_idx"`);
    await queryRunner.query(`DROP TABLE "ai_jobs"`);
    await queryRunner.query(`DROP INDEX "public"."batches_user_id_created_at_idx"`);
    await queryRunner.query(`DROP TABLE "batches"`);
  }
}
