import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { LedgerService, LedgerVerifier } from '@jewelshot/credit-ledger';
import { UsersService } from '@jewelshot/identity';
import { loadConfig } from './config';
import { CliModule } from '../../apps/cli/src/cli.module';
import { baseTestEnv } from './test-env';

export interface LedgerContext {
  app: INestApplicationContext;
  ledger: LedgerService;
  verifier: LedgerVerifier;
  dataSource: DataSource;
  /** A new user whose account holds `credits` (granted through the ledger). */
  newAccount(credits?: number): Promise<string>;
  close(): Promise<void>;
}

/** The ledger and identity modules on the run's database, without HTTP. */
export async function startLedger(overrides: NodeJS.ProcessEnv = {}): Promise<LedgerContext> {
  const config = loadConfig({ ...baseTestEnv(), ...overrides });
  const app = await NestFactory.createApplicationContext(CliModule.forRoot(config), {
    logger: false,
  });
  const ledger = app.get(LedgerService);
  const users = app.get(UsersService);
  return {
    app,
    ledger,
    verifier: app.get(LedgerVerifier),
    dataSource: app.get(DataSource),
    async newAccount(credits = 0) {
      const user = await users.create(
        `ledger-${randomBytes(6).toString('hex')}@example.test`,
        'not-a-real-hash',
      );
      if (credits > 0)
        await ledger.grant(user.id, credits, `test-grant:${user.id}`, 'test credits');
      return user.id;
    },
    close: () => app.close(),
  };
}
