import { DomainEvent } from '@jewelshot/platform';

/** A new account got its sign-up credits (published in the transaction of the grant). */
export class SignupCreditsGranted extends DomainEvent<{
  userId: string;
  amount: number;
  reference: string;
}> {
  static readonly eventName = 'ledger.signup-credits-granted';
}
