import { IsString } from 'class-validator';
import { defineConfig, type PlatformConfig } from '@jewelshot/platform';

/** The audit log's variables: where the daily head hash is anchored, if anywhere. */
export class AuditVariables {
  /**
   * A directory (ideally a mount another system keeps: object-lock storage, another host) the
   * worker writes the chain's head hash to once a day, and `audit:verify` checks the chain
   * against. Empty: no anchoring. Without anchors a rewrite of the whole chain by someone with
   * database superuser rights would verify; with them it cannot.
   */
  @IsString()
  AUDIT_ANCHOR_DIR = '';
}

export const auditConfig = defineConfig({ name: 'audit', variables: AuditVariables });

export type AuditConfig = Readonly<AuditVariables> & PlatformConfig;

export const AUDIT_CONFIG = auditConfig.token;
