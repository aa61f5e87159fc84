/** The BullMQ queue of webhook deliveries (never rename: queued jobs would be orphaned). */
export const WEBHOOKS_QUEUE = 'webhooks';

/** One delivery job: an event to one endpoint. State lives in the database; ids only here. */
export interface DeliverWebhookJob {
  eventId: string;
  endpointId: string;
  /** The endpoint's owner, whose share of the delivery workers this takes (absent on jobs queued before it was added: the endpoint stands in). */
  userId?: string;
}

/** The custom backoff type of delivery jobs: the worker's strategy reads the schedule. */
export const WEBHOOK_BACKOFF = 'webhook-schedule';
