/**
 * npm run ledger:verify — checks every ledger invariant. Prints what it checked; exits 1 and
 * names each violation when there is one.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { LedgerVerifier } from '@jewelshot/credit-ledger';
import { preflightOrExit } from '@jewelshot/platform';
import { commandArgsOrExit } from './cli-args';
import { loadCliConfigOrExit } from './cli.config';
import { CliModule } from './cli.module';

async function main(): Promise<void> {
  commandArgsOrExit('ledger:verify', 'npm run ledger:verify', {});
  const config = loadCliConfigOrExit();
  await preflightOrExit(config, { redis: false });
  const app = await NestFactory.createApplicationContext(CliModule.forRoot(config), {
    logger: ['error'],
  });
  try {
    const report = await app.get(LedgerVerifier).verify();
    process.stdout.write(
      `Checked ${report.accounts} accounts, ${report.entries} entries, ${report.holds} holds.\n`,
    );
    if (report.violations.length === 0) {
      process.stdout.write('Ledger OK: no violations.\n');
      return;
    }
    for (const v of report.violations)
      process.stdout.write(`VIOLATION [${v.check}] ${v.subject}: ${v.detail}\n`);
    process.stdout.write(`${report.violations.length} violation(s).\n`);
    process.exitCode = 1;
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `ledger:verify failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(2);
});
