import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The abuse lib's tables (libs/abuse, docs/abuse.md): what it observed of the domain events
 * (keyed by event id: a redelivery changes nothing), each user's latest signal readings, and
 * the flags, at most one open per user (a unique partial index).
 */
export class Abuse1795930000012 implements MigrationInterface {
  name = 'Abuse1795930000012';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "abuse_flags" ("id" uuid NOT NULL, "user_id" uuid NOT NULL, "status" character varying(16) NOT NULL, "score" smallint NOT NULL, "signals" jsonb NOT NULL, "previous_tier" character varying(16) NOT NULL, "credits_held" integer NOT NULL DEFAULT \'0\', "resolution" character varying(16), "note" character varying(500), "resolved_by" uuid, "resolved_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "abuse_flags_resolution_check" CHECK (("status" = \'open\') = ("resolution" IS NULL) AND ("resolution" IS NULL OR "resolution" IN (\'dismissed\', \'banned\'))), CONSTRAINT "abuse_flags_status_check" CHECK ("status" IN (\'open\', \'resolved\')), CONSTRAINT "abuse_flags_pkey" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "abuse_flags_status_created" ON "abuse_flags" ("status", "created_at")',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "abuse_flags_one_open_per_user" ON "abuse_flags" ("user_id") WHERE "status" = \'open\'',
    );
    await queryRunner.query(
      'CREATE TABLE "abuse_observations" ("event_id" uuid NOT NULL, "kind" character varying(16) NOT NULL, "user_id" uuid NOT NULL, "address" inet, "network" cidr, "device_id" character varying(64), "operation" character varying(32), "prompt_hash" character(64), "amount" integer, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "abuse_observations_kind_check" CHECK ("kind" IN (\'registered\', \'logged-in\', \'job\', \'batch\', \'signup-grant\', \'email-verified\')), CONSTRAINT "abuse_observations_pkey" PRIMARY KEY ("event_id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "abuse_observations_device" ON "abuse_observations" ("device_id", "occurred_at")',
    );
    await queryRunner.query(
      'CREATE INDEX "abuse_observations_network" ON "abuse_observations" ("network", "occurred_at")',
    );
    await queryRunner.query(
      'CREATE INDEX "abuse_observations_address" ON "abuse_observations" ("address", "occurred_at")',
    );
    await queryRunner.query(
      'CREATE INDEX "abuse_observations_user_kind" ON "abuse_observations" ("user_id", "kind", "occurred_at")',
    );
    await queryRunner.query(
      'CREATE TABLE "abuse_signals" ("user_id" uuid NOT NULL, "signal" character varying(32) NOT NULL, "value" smallint NOT NULL, "reason" character varying(300) NOT NULL, "evidence" jsonb NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "abuse_signals_pkey" PRIMARY KEY ("user_id", "signal"))',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE "abuse_signals"');
    await queryRunner.query('DROP INDEX "public"."abuse_observations_user_kind"');
    await queryRunner.query('DROP INDEX "public"."abuse_observations_address"');
    await queryRunner.query('DROP INDEX "public"."abuse_observations_network"');
    await queryRunner.query('DROP INDEX "public"."abuse_observations_device"');
    await queryRunner.query('DROP TABLE "abuse_observations"');
    await queryRunner.query('DROP INDEX "public"."abuse_flags_one_open_per_user"');
    await queryRunner.query('DROP INDEX "public"."abuse_flags_status_created"');
    await queryRunner.query('DROP TABLE "abuse_flags"');
  }
}
