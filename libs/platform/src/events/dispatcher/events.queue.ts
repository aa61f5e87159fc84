/** The BullMQ queue of after-commit deliveries: one job per (event, subscriber). Never rename. */
export const EVENTS_QUEUE = 'events';

export interface DeliveryJob {
  /** The event's outbox id: the same on every delivery of it, for deduplication. */
  eventId: string;
  event: string;
  payload: Record<string, unknown>;
  subscriber: string;
}

/** One job per (event, subscriber): a re-dispatch after a crash adds nothing new. */
export function deliveryJobId(eventId: string, subscriber: string): string {
  // BullMQ refuses ':' in custom ids.
  return `${eventId}.${subscriber.replaceAll(':', '_')}`;
}
