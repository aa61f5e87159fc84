import { DomainEvent } from '@jewelshot/platform';

/** A user proved their address (published once, in the transaction that marks it verified). */
export class EmailVerified extends DomainEvent<{ userId: string }> {
  static readonly eventName = 'identity.email-verified';
}
