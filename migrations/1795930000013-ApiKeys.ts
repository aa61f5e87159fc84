import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Integrators' API keys (libs/identity/src/entities/api-key.entity.ts): row-scoped like the
 * other user-owned tables; the auth guard finds a presented key by its public id in the
 * all-users scope, as the refresh-token owner lookup does.
 */
export class ApiKeys1795930000013 implements MigrationInterface {
  name = 'ApiKeys1795930000013';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "api_keys" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "name" character varying(100) NOT NULL, "public_id" character varying(32) NOT NULL, "secret_hash" character(64) NOT NULL, "scopes" text array NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE, "last_used_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "api_keys_public_id_key" ON "api_keys" ("public_id")`,
    );
    await queryRunner.query(`CREATE INDEX "api_keys_user_id_idx" ON "api_keys" ("user_id")`);
    await queryRunner.query(
      `ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(`ALTER TABLE "api_keys" ENABLE ROW LEVEL SECURITY`);
    await queryRunner.query(`ALTER TABLE "api_keys" FORCE ROW LEVEL SECURITY`);
    await queryRunner.query(`
      CREATE POLICY "api_keys_owner" ON "api_keys"
        USING ("user_id" = NULLIF(current_setting('app.user_id', true), '')::uuid
               OR current_setting('app.all_users', true) = 'on')
        WITH CHECK ("user_id" = NULLIF(current_setting('app.user_id', true), '')::uuid
                    OR current_setting('app.all_users', true) = 'on')`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP POLICY "api_keys_owner" ON "api_keys"`);
    await queryRunner.query(`ALTER TABLE "api_keys" DROP CONSTRAINT "api_keys_user_id_fkey"`);
    await queryRunner.query(`DROP INDEX "public"."api_keys_user_id_idx"`);
    await queryRunner.query(`DROP INDEX "public"."api_keys_public_id_key"`);
    await queryRunner.query(`DROP TABLE "api_keys"`);
  }
}
