import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EmailModule } from '@jewelshot/email';
import { IdentityModule } from '@jewelshot/identity';
import { declareEvents, EventsModule, METRICS_SOURCES } from '@jewelshot/platform';
import { CreditsLow } from './events/credits-low';
import { SignupCreditsGranted } from './events/signup-credits-granted';
import { CreditAccount } from './entities/credit-account.entity';
import { CreditEntry } from './entities/credit-entry.entity';
import { CreditHold } from './entities/credit-hold.entity';
import { OperationPrice } from './entities/operation-price.entity';
import { LedgerVerifier } from './services/ledger-verifier';
import { LedgerService } from './services/ledger.service';
import { LowCredits } from './services/low-credits';
import { HoldsMetrics } from './services/holds.metrics';
import { SignupCredits } from './services/signup-credits.subscriber';

export const CREDIT_LEDGER_ENTITIES = [CreditAccount, CreditHold, CreditEntry, OperationPrice];

@Module({
  imports: [
    TypeOrmModule.forFeature(CREDIT_LEDGER_ENTITIES),
    IdentityModule,
    EmailModule,
    EventsModule,
  ],
  providers: [
    LedgerService,
    LedgerVerifier,
    SignupCredits,
    LowCredits,
    declareEvents([CreditsLow, SignupCreditsGranted]),
    HoldsMetrics,
    { provide: METRICS_SOURCES, useExisting: HoldsMetrics },
  ],
  exports: [LedgerService, LedgerVerifier],
})
export class CreditLedgerModule {}
