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
    const { eventId, endpointIds, manual } = event.payload;
    await this.enqueuer.enqueue(eventId, endpointIds, manual);
  }

  async announce(
    domainEventId: string,
    userId: string,
    type: WebhookEventType,
    data: Record<string, unknown>,
  ): Promise<void> {
    const id = webhookIdOf(domainEventId);
    const endpointIds = await this.txHost.withTransaction(async () => {
      const tx = this.txHost.tx;
      const existing = (await tx.query(`SELECT endpoint_ids FROM webhook_events WHERE id = $1`, [
        id,
      ])) as Array<{ endpoint_ids: string[] }>;
      if (existing[0]) return existing[0].endpoint_ids;
      const endpoints = (await tx.query(
        `SELECT id FROM webhook_endpoints WHERE user_id = $1 AND enabled AND $2 = ANY(events)
          ORDER BY created_at`,
        [userId, type],
      )) as Array<{ id: string }>;
      if (endpoints.length === 0) return [];
      const ids = endpoints.map((row) => row.id);
      await tx.query(
        `INSERT INTO webhook_events (id, user_id, type, data, endpoint_ids)
         VALUES ($1, $2, $3, $4::jsonb, $5::uuid[]) ON CONFLICT (id) DO NOTHING`,
        [id, userId, type, JSON.stringify(data), ids],
      );
      return ids;
    });
    if (endpointIds.length > 0) await this.enqueuer.enqueue(id, endpointIds);
  }
}
