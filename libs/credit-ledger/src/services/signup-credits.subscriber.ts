import { Inject, Injectable } from '@nestjs/common';
import { EmailVerified, UserRegistered } from '@jewelshot/identity';
import { Events, InTransaction } from '@jewelshot/platform';
import { SignupCreditsGranted } from '../events/signup-credits-granted';
import { CREDIT_LEDGER_CONFIG, type CreditLedgerConfig } from '../credit-ledger.config';
import { LedgerService } from './ledger.service';

/**
 * Sign-up credits: granted in the registration transaction itself (an in-transaction
 * subscriber), so there is never a user without them, nor credits without a user; or, with
 * SIGNUP_CREDITS_ON=verified, in the transaction that verifies the address (published once per
 * user, and the grant is idempotent on its reference besides).
 */
@Injectable()
export class SignupCredits {
  constructor(
    private readonly ledger: LedgerService,
    private readonly events: Events,
    @Inject(CREDIT_LEDGER_CONFIG) private readonly config: CreditLedgerConfig,
  ) {}

  @InTransaction(UserRegistered, { name: 'ledger.signup-credits' })
  async grant(event: UserRegistered): Promise<void> {
    if (this.config.SIGNUP_CREDITS_ON !== 'register') return;
    await this.grantTo(event.payload.userId);
  }

  @InTransaction(EmailVerified, { name: 'ledger.signup-credits-on-verified' })
  async grantOnVerified(event: EmailVerified): Promise<void> {
    if (this.config.SIGNUP_CREDITS_ON !== 'verified') return;
    await this.grantTo(event.payload.userId);
  }

  private async grantTo(userId: string): Promise<void> {
    if (this.config.SIGNUP_CREDITS <= 0) return;
    const reference = `signup:${userId}`;
    await this.ledger.grant(userId, this.config.SIGNUP_CREDITS, reference, 'Sign-up credits');
    await this.events.publish(
      new SignupCreditsGranted({ userId, amount: this.config.SIGNUP_CREDITS, reference }),
    );
  }
}
