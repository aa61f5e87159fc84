import { DomainEvent } from '@jewelshot/platform';

/**
 * A recorded webhook event should go (again) to these endpoints: a test event, or an owner's
 * retry of a delivery. Published in the transaction that asked for it; the worker enqueues.
 */
export class WebhookDeliveryRequested extends DomainEvent<{
  eventId: string;
  endpointIds: string[];
  /** The endpoints' owner (absent in events published before it was added). */
  userId?: string;
  /** A retry asked for by hand: one attempt, no schedule. */
  manual: boolean;
}> {
  static readonly eventName = 'webhooks.delivery-requested';
}
