import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The credit ledger: accounts, two-phase holds, the append-only entry history and the price
 * list. The database itself refuses what must never happen: an overdrawn or negative account,
 * a hold whose amount is not its price × quantity, a settled hold without a settle time, a
 * second charge for one hold, and any UPDATE, DELETE or TRUNCATE of the history.
 */
export class CreditLedger1795829594975 implements MigrationInterface {
  name = 'CreditLedger1795829594975';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "credit_accounts" (
        "user_id" uuid NOT NULL,
        "balance" bigint NOT NULL DEFAULT '0',
        "reserved" bigint NOT NULL DEFAULT '0',
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "credit_accounts_amounts_check" CHECK ("reserved" >= 0 AND "balance" >= "reserved"),
        CONSTRAINT "credit_accounts_pkey" PRIMARY KEY ("user_id"),
        CONSTRAINT "credit_accounts_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
      )`);

    await queryRunner.query(`
      CREATE TABLE "operation_prices" (
        "operation" character varying(64) NOT NULL,
        "credits" integer NOT NULL,
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "operation_prices_credits_check" CHECK ("credits" > 0),
        CONSTRAINT "operation_prices_pkey" PRIMARY KEY ("operation")
      )`);
    await queryRunner.query(`
      INSERT INTO "operation_prices" ("operation", "credits")
      VALUES ('generate', 1), ('edit', 1), ('remove-background', 1), ('upscale', 2)`);

    await queryRunner.query(`
      CREATE TABLE "credit_holds" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "user_id" uuid NOT NULL,
        "amount" bigint NOT NULL,
        "operation" character varying(64) NOT NULL,
        "unit_price" integer NOT NULL,
        "quantity" integer NOT NULL DEFAULT '1',
        "reference" character varying(128) NOT NULL,
        "status" character varying(16) NOT NULL DEFAULT 'pending',
        "reason" character varying(500),
        "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "settled_at" TIMESTAMP WITH TIME ZONE,
        CONSTRAINT "credit_holds_settled_check" CHECK (("status" = 'pending') = ("settled_at" IS NULL)),
        CONSTRAINT "credit_holds_status_check" CHECK ("status" IN ('pending', 'posted', 'voided', 'expired')),
        CONSTRAINT "credit_holds_amount_check" CHECK ("amount" > 0 AND "quantity" > 0 AND "unit_price" > 0 AND "amount" = "unit_price" * "quantity"),
        CONSTRAINT "credit_holds_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "credit_holds_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "credit_holds_reference_key" ON "credit_holds" ("reference")`,
    );
    await queryRunner.query(
      `CREATE INDEX "credit_holds_user_id_idx" ON "credit_holds" ("user_id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "credit_holds_pending_expires_at_idx" ON "credit_holds" ("expires_at") WHERE "status" = 'pending'`,
    );

    await queryRunner.query(`
      CREATE TABLE "credit_entries" (
        "id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
        "user_id" uuid NOT NULL,
        "delta" bigint NOT NULL,
        "balance_after" bigint NOT NULL,
        "kind" character varying(16) NOT NULL,
        "hold_id" uuid,
        "reference" character varying(128) NOT NULL,
        "reason" character varying(500),
        "actor_id" uuid,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "credit_entries_charge_check" CHECK (("kind" = 'charge') = ("hold_id" IS NOT NULL) AND ("kind" <> 'charge' OR "delta" < 0)),
        CONSTRAINT "credit_entries_kind_check" CHECK ("kind" IN ('grant', 'purchase', 'charge', 'adjustment')),
        CONSTRAINT "credit_entries_balance_after_check" CHECK ("balance_after" >= 0),
        CONSTRAINT "credit_entries_delta_check" CHECK ("delta" <> 0),
        CONSTRAINT "credit_entries_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "credit_entries_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION,
        CONSTRAINT "credit_entries_hold_id_fkey" FOREIGN KEY ("hold_id") REFERENCES "credit_holds"("id") ON DELETE RESTRICT ON UPDATE NO ACTION,
        CONSTRAINT "credit_entries_actor_id_fkey" FOREIGN KEY ("actor_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "credit_entries_reference_key" ON "credit_entries" ("reference")`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "credit_entries_hold_id_key" ON "credit_entries" ("hold_id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "credit_entries_user_id_id_idx" ON "credit_entries" ("user_id", "id")`,
    );

    // History is append-only: no row may change or disappear, not even by TRUNCATE.
    await queryRunner.query(`
      CREATE FUNCTION "credit_entries_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'credit_entries is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END
      $$`);
    await queryRunner.query(`
      CREATE TRIGGER "credit_entries_append_only" BEFORE UPDATE OR DELETE ON "credit_entries"
      FOR EACH ROW EXECUTE FUNCTION "credit_entries_refuse_change"()`);
    await queryRunner.query(`
      CREATE TRIGGER "credit_entries_no_truncate" BEFORE TRUNCATE ON "credit_entries"
      FOR EACH STATEMENT EXECUTE FUNCTION "credit_entries_refuse_change"()`);

    // Every user has an account from the moment it exists, in the same transaction.
    await queryRunner.query(`
      CREATE FUNCTION "users_open_credit_account"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO "credit_accounts" ("user_id") VALUES (NEW."id");
        RETURN NEW;
      END
      $$`);
    await queryRunner.query(`
      CREATE TRIGGER "users_open_credit_account" AFTER INSERT ON "users"
      FOR EACH ROW EXECUTE FUNCTION "users_open_credit_account"()`);
    await queryRunner.query(
      `INSERT INTO "credit_accounts" ("user_id") SELECT "id" FROM "users" ON CONFLICT DO NOTHING`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "users_open_credit_account" ON "users"`);
    await queryRunner.query(`DROP FUNCTION "users_open_credit_account"()`);
    await queryRunner.query(`DROP TABLE "credit_entries"`);
    await queryRunner.query(`DROP FUNCTION "credit_entries_refuse_change"()`);
    await queryRunner.query(`DROP TABLE "credit_holds"`);
    await queryRunner.query(`DROP TABLE "operation_prices"`);
    await queryRunner.query(`DROP TABLE "credit_accounts"`);
  }
}
