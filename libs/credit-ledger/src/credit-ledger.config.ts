import { Transform } from 'class-transformer';
import { IsIn, IsInt, Max, Min } from 'class-validator';
import { defineConfig, toInt, type PlatformConfig } from '@jewelshot/platform';

/** The ledger's variables: sign-up credits and the life of a hold. */
export class CreditLedgerVariables {
  /** Credits granted to every new account, in the transaction that creates it. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  SIGNUP_CREDITS = 3;

  /**
   * When the sign-up credits are granted: with the account (`register`), or once its address is
   * verified (`verified`, against free-credit farming with throwaway addresses).
   */
  @IsIn(['register', 'verified'])
  SIGNUP_CREDITS_ON: 'register' | 'verified' = 'register';

  /** Below this many available credits the user is mailed once, until the balance rises above it again. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  LOW_CREDITS_THRESHOLD = 2;

  /** How long a credit hold may stay pending before the sweeper may expire it. */
  @Transform(toInt)
  @IsInt()
  @Min(60)
  @Max(7 * 86400)
  HOLD_TTL_SECONDS = 3600;

  /** How often the worker looks for expired holds. */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  HOLD_SWEEP_INTERVAL_MS = 60_000;

  /**
   * How often the worker runs the ledger verifier (every invariant, as `npm run ledger:verify`)
   * and reports it in /metrics; 0: never (then run the command from elsewhere).
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  LEDGER_VERIFY_INTERVAL_MS = 3_600_000;
}

export const creditLedgerConfig = defineConfig({
  name: 'credit-ledger',
  variables: CreditLedgerVariables,
});

export type CreditLedgerConfig = Readonly<CreditLedgerVariables> & PlatformConfig;

export const CREDIT_LEDGER_CONFIG = creditLedgerConfig.token;
