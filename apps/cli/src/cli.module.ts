import { DynamicModule, Module } from '@nestjs/common';
import { AbuseModule } from '@jewelshot/abuse';
import { JobLedgerChecksModule } from '@jewelshot/ai-jobs';
import { AuditModule } from '@jewelshot/audit';
import { CreditLedgerModule } from '@jewelshot/credit-ledger';
import { IdentityModule } from '@jewelshot/identity';
import { ConfigModule, DatabaseModule } from '@jewelshot/platform';
import { WebhooksModule } from '@jewelshot/webhooks';
import { type CliDomainConfig } from './cli.config';

/** The domain modules for command-line tasks: no HTTP, no processors. */
@Module({})
export class CliModule {
  static forRoot(config: CliDomainConfig): DynamicModule {
    return {
      module: CliModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot({ applicationName: 'jewelshot-cli', rowAccess: 'all-users' }),
        AuditModule,
        IdentityModule,
        CreditLedgerModule,
        JobLedgerChecksModule,
        // The ledger announces low credits: its subscribers must be known (they run in the worker).
        WebhooksModule,
        // Its subscribers of the identity and ledger events must be where those are declared.
        AbuseModule,
      ],
    };
  }
}
