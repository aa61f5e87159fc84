import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Identity's mailed links: users get `email_verified_at` and the `language` of their mail, and
 * `user_tokens` holds the SHA-256 of each single-use reset or verify token. The table has no
 * row-level security, like `users`: a token is looked up by its hash before anyone knows whose
 * it is, and the hash is useless to a reader.
 */
export class AccountMail1795920000001 implements MigrationInterface {
  name = 'AccountMail1795920000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" ADD "email_verified_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(
      `ALTER TABLE "users" ADD "language" character varying(8) NOT NULL DEFAULT 'en'`,
    );
    await queryRunner.query(`
      CREATE TABLE "user_tokens" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "user_id" uuid NOT NULL,
        "purpose" character varying(20) NOT NULL,
        "token_hash" character varying(64) NOT NULL,
        "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "used_at" TIMESTAMP WITH TIME ZONE,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "user_tokens_purpose_check" CHECK ("purpose" IN ('password_reset', 'verify_email')),
        CONSTRAINT "user_tokens_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "user_tokens_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "user_tokens_token_hash_key" ON "user_tokens" ("token_hash")`,
    );
    await queryRunner.query(`CREATE INDEX "user_tokens_user_id" ON "user_tokens" ("user_id")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "user_tokens"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "language"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "email_verified_at"`);
  }
}
