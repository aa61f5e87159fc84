import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IdentityModule } from '@jewelshot/identity';
import { CreditAccount } from './entities/credit-account.entity';
import { CreditEntry } from './entities/credit-entry.entity';
import { CreditHold } from './entities/credit-hold.entity';
import { OperationPrice } from './entities/operation-price.entity';
import { LedgerVerifier } from './services/ledger-verifier';
import { LedgerService } from './services/ledger.service';
import { SignupService } from './services/signup.service';

export const CREDIT_LEDGER_ENTITIES = [CreditAccount, CreditHold, CreditEntry, OperationPrice];

@Module({
  imports: [TypeOrmModule.forFeature(CREDIT_LEDGER_ENTITIES), IdentityModule],
  providers: [LedgerService, LedgerVerifier, SignupService],
  exports: [LedgerService, LedgerVerifier, SignupService],
})
export class CreditLedgerModule {}
