import { IsString, MinLength } from 'class-validator';
import { defineConfig, productionSecretProblems, type PlatformConfig } from '@jewelshot/platform';

/** The development key: never in production (the config refuses it there). */
export const DEV_AUDIT_CHAIN_KEY = 'dev-only-audit-chain-key-change-me-0123456';

/** The audit log's variables: the key that seals the chain, and where its head is anchored. */
export class AuditVariables {
  /**
   * A directory (ideally a mount another system keeps: object-lock storage, another host) the
   * worker writes the chain's head hash to once a day, and `audit:verify` checks the chain
   * against. Empty: no anchoring. Anchors catch what a seal cannot: rows deleted from the end.
   */
  @IsString()
  AUDIT_ANCHOR_DIR = '';

  /**
   * Key (≥ 32 characters) of every event's seal: HMAC-SHA256 over its hash. Someone who can
   * write to the database but does not hold this key (a superuser past the append-only
   * trigger, a doctored backup) cannot append, edit or rewrite events so that they verify.
   * Every process that appends or verifies needs the same key. To change it, move the old one
   * to AUDIT_CHAIN_PREVIOUS_KEYS.
   */
  @IsString()
  @MinLength(32, { message: 'AUDIT_CHAIN_KEY must be at least 32 characters' })
  AUDIT_CHAIN_KEY = DEV_AUDIT_CHAIN_KEY;

  /**
   * Keys the chain was sealed with before AUDIT_CHAIN_KEY, comma-separated, oldest first:
   * events sealed with one still verify, but only AUDIT_CHAIN_KEY seals new ones, no event may
   * be sealed with an older key than one before it, and the chain's last event must be sealed
   * with AUDIT_CHAIN_KEY (an old key, leaked, cannot append or rewrite the end). The first
   * append after a change records it (`audit.key_rotated`, naming both keys by fingerprint).
   */
  @IsString()
  AUDIT_CHAIN_PREVIOUS_KEYS = '';
}

/** The keys of AUDIT_CHAIN_PREVIOUS_KEYS. */
export function previousChainKeys(
  config: Pick<AuditVariables, 'AUDIT_CHAIN_PREVIOUS_KEYS'>,
): string[] {
  return config.AUDIT_CHAIN_PREVIOUS_KEYS.split(',')
    .map((key) => key.trim())
    .filter((key) => key !== '');
}

export const auditConfig = defineConfig({
  name: 'audit',
  variables: AuditVariables,
  check: (config, given) => [
    ...(config.NODE_ENV === 'production'
      ? productionSecretProblems(
          'AUDIT_CHAIN_KEY',
          config.AUDIT_CHAIN_KEY,
          DEV_AUDIT_CHAIN_KEY,
          given,
        )
      : []),
    // The development key is public: an event it seals proves nothing in production.
    ...(config.NODE_ENV === 'production' && previousChainKeys(config).includes(DEV_AUDIT_CHAIN_KEY)
      ? ['AUDIT_CHAIN_PREVIOUS_KEYS: the development key is refused in production']
      : []),
    ...(config.AUDIT_CHAIN_KEY.includes(',') ||
    config.AUDIT_CHAIN_KEY.trim() !== config.AUDIT_CHAIN_KEY
      ? [
          'AUDIT_CHAIN_KEY: must hold no comma and no leading or trailing space (it may one day be a previous key)',
        ]
      : []),
    ...(previousChainKeys(config).some((key) => key.length < 32)
      ? ['AUDIT_CHAIN_PREVIOUS_KEYS: each key must be at least 32 characters']
      : []),
    ...(previousChainKeys(config).includes(config.AUDIT_CHAIN_KEY)
      ? ['AUDIT_CHAIN_PREVIOUS_KEYS: must not hold AUDIT_CHAIN_KEY itself']
      : []),
  ],
});

export type AuditConfig = Readonly<AuditVariables> & PlatformConfig;

export const AUDIT_CONFIG = auditConfig.token;
