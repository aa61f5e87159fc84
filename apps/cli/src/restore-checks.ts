import { NestFactory } from '@nestjs/core';
import type { RestoreCheck } from '@jewelshot/backup';
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
 * Extension point: the checks a restore runs after the manifest comparison. audit:verify joins
 * this list when the audit lib provides it.
 */
export function restoreChecks(env: NodeJS.ProcessEnv = process.env): RestoreCheck[] {
  return [ledgerVerifyCheck(env)];
}
