import { DomainEvent } from '@jewelshot/platform';

/** A user signed up (published in the registration transaction). */
export class UserRegistered extends DomainEvent<{ userId: string; email: string }> {
  static readonly eventName = 'identity.user-registered';
}
