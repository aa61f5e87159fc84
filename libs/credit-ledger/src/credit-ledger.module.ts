import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CreditAccount } from './entities/credit-account.entity';
import { CreditEntry } from './entities/credit-entry.entity';
import { CreditHold } from './entities/credit-hold.entity';
import { OperationPrice } from './entities/operation-price.entity';
import { LedgerVerifier } from './services/ledger-verifier';
import { LedgerService } from './services/ledger.service';

export const CREDIT_LEDGER_ENTITIES = [CreditAccount, CreditHold, CreditEntry, OperationPrice];

@Module({
  imports: [TypeOrmModule.forFeature(CREDIT_LEDGER_ENTITIES)],
  providers: [LedgerService, LedgerVerifier],
  exports: [LedgerService, LedgerVerifier],
})
export class CreditLedgerModule {}
