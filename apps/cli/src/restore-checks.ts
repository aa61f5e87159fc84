import { NestFactory } from '@nestjs/core';
import type { RestoreCheck } from '@jewelshot/backup';
import { AuditVerifier } from '@jewelshot/audit';
import { LedgerVerifier } from '@jewelshot/credit-ledger';
import { migrationDataSource } from '../../../migrations/data-source';
import { loadCliConfigOrExit } from './cli.config';
import { CliModule } from './cli.module';

/** Applies the migrations the restored database lacks; returns their names. */
export async function migrateRestored(databaseUrl: string): Promise<string[]> {
  const dataSource = await migrationDataSource(databaseUrl).initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    await dataSource.destroy();
  }
}

/** ledger:verify on the restored database (the same verifier, the same checks). */
export function ledgerVerifyCheck(env: NodeJS.ProcessEnv): RestoreCheck {
  return {
    name: 'ledger:verify',
    async run(databaseUrl) {
      const app = await NestFactory.createApplicationContext(
        CliModule.forRoot(loadCliConfigOrExit({ ...env, DATABASE_URL: databaseUrl })),
        { logger: ['error'] },
      );
      try {
        const report = await app.get(LedgerVerifier).verify();
        return report.violations.map((v) => `[${v.check}] ${v.subject}: ${v.detail}`);
      } finally {
        await app.close();
      }
    },
  };
}

/**
 * audit:verify on the restored database: the whole chain up to its head (which the manifest
 * comparison has already matched with the backup's). Anchors are left out: the live system's
 * anchors may name events newer than this backup, which a restore rightly does not have.
 */
export function auditVerifyCheck(env: NodeJS.ProcessEnv): RestoreCheck {
  return {
    name: 'audit:verify',
    async run(databaseUrl) {
      const app = await NestFactory.createApplicationContext(
        CliModule.forRoot(
          loadCliConfigOrExit({ ...env, DATABASE_URL: databaseUrl, AUDIT_ANCHOR_DIR: '' }),
        ),
        { logger: ['error'] },
      );
      try {
        const report = await app.get(AuditVerifier).verify();
        return report.ok ? [] : [`[audit] seq ${report.firstBrokenSeq}: ${report.problem}`];
      } finally {
        await app.close();
      }
    },
  };
}

/** The checks a restore runs after the manifest comparison. */
export function restoreChecks(env: NodeJS.ProcessEnv = process.env): RestoreCheck[] {
  return [ledgerVerifyCheck(env), auditVerifyCheck(env)];
}
