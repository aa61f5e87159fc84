import { DomainEvent } from '@jewelshot/platform';

/**
 * A user signed up (published in the registration transaction). `address` is the client's
 * address as the API saw it (TRUSTED_PROXIES-aware) and `deviceId` the SPA's `X-Device-Id`;
 * both null when unknown (a seed, the CLI, an integrator that sends no device id).
 */
export class UserRegistered extends DomainEvent<{
  userId: string;
  email: string;
  address?: string | null;
  deviceId?: string | null;
  at?: string;
}> {
  static readonly eventName = 'identity.user-registered';
}
