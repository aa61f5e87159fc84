import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditEvent } from './audit-event.entity';
import { AuditAnchors } from './audit-anchors';
import { AuditLog } from './audit-log';
import { AuditService } from './audit.service';
import { AuditVerifier } from './audit-verifier';

export const AUDIT_ENTITIES = [AuditEvent];

/** The audit log, shared by the API, the worker and the CLI. Needs DatabaseModule and AUDIT_CONFIG. */
@Module({
  imports: [TypeOrmModule.forFeature(AUDIT_ENTITIES)],
  providers: [AuditService, AuditLog, AuditVerifier, AuditAnchors],
  exports: [AuditService, AuditLog, AuditVerifier, AuditAnchors],
})
export class AuditModule {}
