import { Inject, Injectable } from '@nestjs/common';
import { LedgerService } from '@jewelshot/credit-ledger';
import { AuthService, type AuthResult } from '@jewelshot/identity';
import { APP_CONFIG, type AppConfig } from '@jewelshot/platform';

/** Sign-up: the user, its session and its sign-up credits, all in one transaction. */
@Injectable()
export class SignupService {
  constructor(
    private readonly auth: AuthService,
    private readonly ledger: LedgerService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  register(email: string, password: string): Promise<AuthResult> {
    return this.auth.register(email, password, {
      onCreated: async (user) => {
        if (this.config.SIGNUP_CREDITS > 0) {
          await this.ledger.grant(user.id, this.config.SIGNUP_CREDITS, `signup:${user.id}`, 'Sign-up credits');
        }
      },
    });
  }
}
