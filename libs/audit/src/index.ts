/**
 * The audit log's public face: its module and entity, config, errors, and the services that
 * append, read, verify and anchor the chain (test/integration/public-faces.spec.ts snapshots it).
 */
export { AUDIT_ENTITIES, AuditModule } from './audit.module';
export { AUDIT_CONFIG, auditConfig, DEV_AUDIT_CHAIN_KEY } from './audit.config';
export type { AuditConfig } from './audit.config';
export { AUDIT_ERROR_CODES, AuditChainAheadError, AuditEventNotFoundError } from './audit.errors';
export { AUDIT_OUTCOMES, AuditEvent } from './audit-event.entity';
export type { AuditJson, AuditOutcome } from './audit-event.entity';
export { canonicalJson, chainKeyId, GENESIS_HASH, hashRow, sealOf } from './audit-hash';
export { AuditService } from './audit.service';
export type { AuditActor, AuditRecord } from './audit.service';
export { AuditLog } from './audit-log';
export type { AuditFilter, AuditPage } from './audit-log';
export { AuditVerifier } from './audit-verifier';
export { MAX_BREAKS } from './audit-verifier';
export type { AuditBreak, AuditVerification } from './audit-verifier';
export { AuditAnchors } from './audit-anchors';
export type { Anchor } from './audit-anchors';
