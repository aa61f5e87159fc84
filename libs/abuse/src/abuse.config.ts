import { Transform } from 'class-transformer';
import { IsIn, IsInt, Max, Min } from 'class-validator';
import { defineConfig, toInt, type PlatformConfig } from '@jewelshot/platform';

/**
 * The abuse signals' thresholds and weights, the flag threshold and what a flag does
 * (docs/abuse.md explains each signal and how the score combines them).
 */
export class AbuseVariables {
  /** `off`: the worker records nothing and scores nobody (the events are still delivered). */
  @IsIn(['on', 'off'])
  ABUSE_SCORING: 'on' | 'off' = 'on';

  /** A score above this opens (or updates) the user's flag. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(100)
  ABUSE_FLAG_THRESHOLD = 70;

  /** `true`: a flag with a farming signal voids the account's unspent sign-up credits (a ledger adjustment). */
  @IsIn(['true', 'false'])
  ABUSE_HOLD_SIGNUP_CREDITS: 'true' | 'false' = 'false';

  /** Rapid fire: this many submits (jobs and batches) in the window starts the signal. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  ABUSE_RAPID_FIRE_COUNT = 5;

  /** Duplicate prompts: the same prompt (hash) this many times in the window starts the signal. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  ABUSE_DUPLICATE_PROMPT_COUNT = 5;

  /** The window of the rapid-fire and duplicate-prompt signals. */
  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(86400)
  ABUSE_SUBMIT_WINDOW_SECONDS = 300;

  /** Free-credit farming: this many accounts of one address or device that never bought credits and spend their grant. */
  @Transform(toInt)
  @IsInt()
  @Min(2)
  ABUSE_FARMING_ACCOUNTS = 3;

  /** How far back farming looks for an address's or device's accounts. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(365)
  ABUSE_FARMING_WINDOW_DAYS = 30;

  /** Accounts registered from one address in the accounts window that start the signal. */
  @Transform(toInt)
  @IsInt()
  @Min(2)
  ABUSE_ACCOUNTS_PER_ADDRESS = 3;

  /** Accounts registered from one /24 (IPv4) or /64 (IPv6) in the accounts window that start the signal. */
  @Transform(toInt)
  @IsInt()
  @Min(2)
  ABUSE_ACCOUNTS_PER_NETWORK = 10;

  /** Accounts seen on one device id (registrations and sign-ins) in the accounts window that start the signal. */
  @Transform(toInt)
  @IsInt()
  @Min(2)
  ABUSE_ACCOUNTS_PER_DEVICE = 3;

  /** The window of the accounts-per-address and accounts-per-device signals. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(720)
  ABUSE_ACCOUNTS_WINDOW_HOURS = 24;

  /** Weights (percent) of each signal in the score: score = min(100, Σ weight × signal / 100). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(200)
  ABUSE_WEIGHT_RAPID_FIRE = 50;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(200)
  ABUSE_WEIGHT_DUPLICATE_PROMPT = 50;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(200)
  ABUSE_WEIGHT_FARMING = 100;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(200)
  ABUSE_WEIGHT_ACCOUNTS_PER_ADDRESS = 50;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(200)
  ABUSE_WEIGHT_ACCOUNTS_PER_DEVICE = 60;
}

export const abuseConfig = defineConfig({ name: 'abuse', variables: AbuseVariables });

export type AbuseConfig = Readonly<AbuseVariables> & PlatformConfig;

export const ABUSE_CONFIG = abuseConfig.token;
