import { DomainEvent } from '@jewelshot/platform';

/** A user signed in with their password (published in the transaction that opens the session). */
export class UserLoggedIn extends DomainEvent<{
  userId: string;
  address: string | null;
  deviceId: string | null;
  at: string;
}> {
  static readonly eventName = 'identity.user-logged-in';
}
