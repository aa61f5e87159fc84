import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { CreditsLow } from '@jewelshot/credit-ledger';
import { AfterCommit, type EventContext } from '@jewelshot/platform';
import { WebhookDeliveryRequested } from './events/webhook-delivery-requested';
import type { WebhookEventType } from './webhook-event-types';
import { WebhookEnqueuer } from './webhook-enqueuer';

/** The webhook id of the announcement of one domain event: derived, so a redelivery finds it. */
export function webhookIdOf(domainEventId: string): string {
  return `msg_${domainEventId.replace(/-/g, '')}`;
}

/**
 * Turns committed domain events into webhook events (the jobs' are JobWebhooks', which calls
 * `announce` here). The domain event's outbox row was written
 * in the transaction of the change (a job that rolled back published nothing); this runs after
 * that commit, in the worker, at least once. It records one `webhook_events` row per domain
 * event (its id derived from the domain event's, so a second run inserts nothing), naming the
 * endpoints subscribed at that moment, then enqueues one delivery per endpoint. A user with no
 * endpoint for the type gets no row at all.
 */
@Injectable()
export class WebhookFanOut {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly enqueuer: WebhookEnqueuer,
  ) {}

  @AfterCommit(CreditsLow, { name: 'webhooks.credits-low', attempts: 20 })
  async creditsLow(event: CreditsLow, { eventId }: EventContext): Promise<void> {
    const { userId, available, threshold } = event.payload;
    await this.announce(eventId, userId, 'credits.low', { available, threshold });
  }

  @AfterCommit(WebhookDeliveryRequested, { name: 'webhooks.enqueue-requested', attempts: 20 })
  async requested(event: WebhookDeliveryRequested): Promise<void> {
    const { eventId, endpointIds, manual, userId } = event.payload;
    await this.enqueuer.enqueue(eventId, endpointIds, userId, manual);
  }

  async announce(
    domainEventId: string,
    userId: string,
    type: WebhookEventType,
    data: Record<string, unknown>,
  ): Promise<void> {
    const id = webhookIdOf(domainEventId);
    // One statement: the row of an earlier run of this announcement, else a new one naming the
    // endpoints subscribed now (none: no row). Two runs at once insert one row; the one whose
    // insert lost enqueues nothing, the other everything.
    const [row] = (await this.txHost.tx.query(
      `WITH existing AS (
         SELECT endpoint_ids FROM webhook_events WHERE id = $1),
       subscribed AS (
         SELECT array_agg(id ORDER BY created_at) AS ids FROM webhook_endpoints
          WHERE user_id = $2 AND enabled AND $3 = ANY(events)),
       inserted AS (
         INSERT INTO webhook_events (id, user_id, type, data, endpoint_ids)
         SELECT $1, $2, $3, $4::jsonb, subscribed.ids FROM subscribed
          WHERE subscribed.ids IS NOT NULL AND NOT EXISTS (SELECT 1 FROM existing)
         ON CONFLICT (id) DO NOTHING
         RETURNING endpoint_ids)
       SELECT COALESCE((SELECT endpoint_ids FROM existing), (SELECT endpoint_ids FROM inserted))
                AS endpoint_ids`,
      [id, userId, type, JSON.stringify(data)],
    )) as Array<{ endpoint_ids: string[] | null }>;
    const endpointIds = row?.endpoint_ids ?? [];
    if (endpointIds.length > 0) await this.enqueuer.enqueue(id, endpointIds, userId);
  }
}
