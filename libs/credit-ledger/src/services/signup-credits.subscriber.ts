import { Inject, Injectable } from '@nestjs/common';
import { UserRegistered } from '@jewelshot/identity';
import { InTransaction } from '@jewelshot/platform';
import { CREDIT_LEDGER_CONFIG, type CreditLedgerConfig } from '../credit-ledger.config';
import { LedgerService } from './ledger.service';

/**
 * Sign-up credits: granted in the registration transaction itself (an in-transaction
 * subscriber), so there is never a user without them, nor credits without a user.
 */
@Injectable()
export class SignupCredits {
  constructor(
    private readonly ledger: LedgerService,
    @Inject(CREDIT_LEDGER_CONFIG) private readonly config: CreditLedgerConfig,
  ) {}

  @InTransaction(UserRegistered, { name: 'ledger.signup-credits' })
  async grant(event: UserRegistered): Promise<void> {
    if (this.config.SIGNUP_CREDITS <= 0) return;
    const { userId } = event.payload;
    await this.ledger.grant(
      userId,
      this.config.SIGNUP_CREDITS,
      `signup:${userId}`,
      'Sign-up credits',
    );
  }
}
