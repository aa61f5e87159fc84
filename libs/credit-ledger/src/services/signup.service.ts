import { Inject, Injectable } from '@nestjs/common';
import { AuthService, type AuthResult } from '@jewelshot/identity';
import { CREDIT_LEDGER_CONFIG, type CreditLedgerConfig } from '../credit-ledger.config';
import { LedgerService } from './ledger.service';

/**
 * Sign-up: the user, its session and its sign-up credits, all in one transaction. It lives in
 * the ledger (which stands on identity) because the credits are the ledger's to grant.
 */
@Injectable()
export class SignupService {
  constructor(
    private readonly auth: AuthService,
    private readonly ledger: LedgerService,
    @Inject(CREDIT_LEDGER_CONFIG) private readonly config: CreditLedgerConfig,
  ) {}

  register(email: string, password: string): Promise<AuthResult> {
    return this.auth.register(email, password, {
      onCreated: async (user) => {
        if (this.config.SIGNUP_CREDITS > 0) {
          await this.ledger.grant(
            user.id,
            this.config.SIGNUP_CREDITS,
            `signup:${user.id}`,
            'Sign-up credits',
          );
        }
      },
    });
  }
}
