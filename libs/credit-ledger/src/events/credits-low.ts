import { DomainEvent } from '@jewelshot/platform';

/** The available balance fell below LOW_CREDITS_THRESHOLD (once per crossing, in the change's transaction). */
export class CreditsLow extends DomainEvent<{
  userId: string;
  available: number;
  threshold: number;
}> {
  static readonly eventName = 'credit-ledger.credits-low';
}
