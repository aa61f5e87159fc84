import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AbuseModule } from '@jewelshot/abuse';
import { AiRunnerModule } from '@jewelshot/ai-jobs';
import { CreditLedgerModule } from '@jewelshot/credit-ledger';
import { IdentityModule } from '@jewelshot/identity';
import { JobWebhooksModule } from '@jewelshot/webhooks';
import {
  ConfigModule,
  DatabaseModule,
  LoggingModule,
  QueueModule,
  RedisModule,
} from '@jewelshot/platform';
import type { loadConfig } from './config';

/**
 * The worker's job-path providers (identity, ledger, AI runner) without its processors or
 * schedules, on the given config: nothing runs but what a test calls. The jobs announce their
 * ends and the job path publishes events, so the registry wants those events' subscribers
 * present (webhooks, abuse; scoring is off in tests).
 */
export async function jobPathContext(
  config: ReturnType<typeof loadConfig>,
  applicationName: string,
): Promise<INestApplicationContext> {
  @Module({
    imports: [
      ConfigModule.forRoot(config),
      LoggingModule.forRoot('worker'),
      DatabaseModule.forRoot({ applicationName, rowAccess: 'all-users' }),
      RedisModule.forRoot('worker'),
      QueueModule.forRoot('worker'),
      IdentityModule,
      CreditLedgerModule,
      AiRunnerModule,
      JobWebhooksModule,
      AbuseModule,
    ],
  })
  class JobPathModule {}
  const context = await NestFactory.createApplicationContext(JobPathModule, { logger: false });
  await context.init();
  return context;
}
