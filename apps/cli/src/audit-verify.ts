/**
 * npm run audit:verify — walks the audit chain, checks every event's seal (AUDIT_CHAIN_KEY) and
 * compares it with the anchors in AUDIT_ANCHOR_DIR, when set. Exits 1 and names every broken seq
 * (the first 100) when there is one.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AuditVerifier } from '@jewelshot/audit';
import { preflightOrExit } from '@jewelshot/platform';
import { commandArgsOrExit } from './cli-args';
import { loadCliConfigOrExit } from './cli.config';
import { CliModule } from './cli.module';

async function main(): Promise<void> {
  commandArgsOrExit('audit:verify', 'npm run audit:verify', {});
  const config = loadCliConfigOrExit();
  await preflightOrExit(config, { redis: false });
  const app = await NestFactory.createApplicationContext(CliModule.forRoot(config), {
    logger: ['error'],
  });
  try {
    const report = await app.get(AuditVerifier).verify();
    process.stdout.write(
      `Checked ${report.events} audit events against ${report.anchors} anchor(s).\n`,
    );
    if (report.ok) {
      process.stdout.write('Audit chain OK.\n');
      return;
    }
    process.stdout.write(`BROKEN at seq ${report.firstBrokenSeq}: ${report.problem}\n`);
    for (const { seq, problem } of report.breaks.slice(1))
      process.stdout.write(`also broken at seq ${seq}: ${problem}\n`);
    process.exitCode = 1;
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `audit:verify failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(2);
});
