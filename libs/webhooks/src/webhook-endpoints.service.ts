import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import {
  DomainError,
  Events,
  isUuid,
  newestFirstPage,
  NotFoundError,
  RowScope,
  ValidationError,
} from '@jewelshot/platform';
import { In } from 'typeorm';
import {
  HOST_LOOKUP,
  resolveTarget,
  TargetRefusedError,
  type HostLookup,
} from './delivery/address-policy';
import { WebhookDelivery } from './entities/webhook-delivery.entity';
import { WebhookEndpoint } from './entities/webhook-endpoint.entity';
import { WebhookEvent } from './entities/webhook-event.entity';
import { WebhookDeliveryRequested } from './events/webhook-delivery-requested';

/** A delivery attempt with the type of the event it delivered (null once that event was pruned). */
export type DeliveryWithType = WebhookDelivery & { eventType: string | null };
import { newSigningSecret, SecretBox } from './secret-box';
import { WEBHOOK_TEST_TYPE, type WebhookEventType } from './webhook-event-types';
import { allowsPrivate, WEBHOOKS_CONFIG, type WebhooksConfig } from './webhooks.config';

/** How long the previous secret keeps signing after a rotation. */
export const ROTATION_OVERLAP_MS = 24 * 3_600_000;

export interface EndpointInput {
  url: string;
  events: WebhookEventType[];
  description?: string;
}

export interface EndpointChanges {
  url?: string;
  events?: WebhookEventType[];
  description?: string;
  /** true re-enables a disabled endpoint (its failing run starts over). */
  enabled?: boolean;
}

/**
 * Throws when the caller may not have events of these types sent where an endpoint points, or
 * sign them (the API refuses an API key that lacks the read scope of an event's data). Called
 * with every type an endpoint carries once created, re-pointed or given new events, when its
 * secret is rotated, and with a retried delivery's type.
 */
export type ReceiveCheck = (types: readonly string[]) => void;

const ANY_CALLER: ReceiveCheck = () => undefined;

/**
 * An owner's endpoints: create (the secret is returned once), list, change, delete, rotate the
 * secret, send a test event, list and retry deliveries. Every method runs in the owner's row
 * scope: another user's endpoint is simply not found. A URL is checked against the address
 * policy when it is set (and again at every delivery).
 */
@Injectable()
export class WebhookEndpoints {
  private readonly box: SecretBox;

  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly scope: RowScope,
    private readonly events: Events,
    @Inject(WEBHOOKS_CONFIG) private readonly config: WebhooksConfig,
    @Inject(HOST_LOOKUP) private readonly lookup: HostLookup,
  ) {
    this.box = new SecretBox(config.WEBHOOK_SECRET_KEY);
  }

  async create(
    userId: string,
    input: EndpointInput,
    mayReceive: ReceiveCheck = ANY_CALLER,
  ): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    mayReceive(input.events);
    await this.checkUrl(input.url);
    const secret = newSigningSecret();
    const endpoint = await this.scope.run(userId, async () => {
      const repo = this.txHost.tx.getRepository(WebhookEndpoint);
      // One creation at a time per user, so two at once cannot both pass the count.
      await this.txHost.tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
        `webhook-endpoints:${userId}`,
      ]);
      const count = await repo.countBy({ userId });
      if (count >= this.config.WEBHOOK_MAX_ENDPOINTS)
        throw new DomainError(
          'CONFLICT',
          `You already have ${count} webhook endpoints, the most allowed`,
          { reason: 'WEBHOOK_ENDPOINT_LIMIT', limit: this.config.WEBHOOK_MAX_ENDPOINTS },
        );
      const row = repo.create({
        id: randomUUID(),
        userId,
        url: input.url,
        description: input.description ?? '',
        events: [...new Set(input.events)],
        secret: this.box.seal(secret),
        previousSecret: null,
        previousSecretExpiresAt: null,
        enabled: true,
        disabledAt: null,
        failingSince: null,
      });
      return repo.save(row);
    });
    return { endpoint, secret };
  }

  async list(userId: string): Promise<WebhookEndpoint[]> {
    return this.scope.run(userId, () =>
      this.txHost.tx
        .getRepository(WebhookEndpoint)
        .find({ where: { userId }, order: { createdAt: 'ASC', id: 'ASC' } }),
    );
  }

  async get(userId: string, id: string): Promise<WebhookEndpoint> {
    return this.scope.run(userId, () => this.find(userId, id));
  }

  /**
   * A new URL or new events are checked with `mayReceive` for every type the endpoint carries
   * after the change (a delivery of a type it dropped is skipped, so those go nowhere).
   */
  async update(
    userId: string,
    id: string,
    changes: EndpointChanges,
    mayReceive: ReceiveCheck = ANY_CALLER,
  ): Promise<WebhookEndpoint> {
    if (changes.url !== undefined) await this.checkUrl(changes.url);
    return this.scope.run(userId, async () => {
      const endpoint = await this.find(userId, id, true);
      if (changes.url !== undefined || changes.events !== undefined)
        mayReceive(changes.events ?? endpoint.events);
      if (changes.url !== undefined) endpoint.url = changes.url;
      if (changes.events !== undefined) endpoint.events = [...new Set(changes.events)];
      if (changes.description !== undefined) endpoint.description = changes.description;
      if (changes.enabled === true && !endpoint.enabled) {
        endpoint.enabled = true;
        endpoint.disabledAt = null;
        endpoint.failingSince = null;
      } else if (changes.enabled === false && endpoint.enabled) {
        endpoint.enabled = false;
        endpoint.disabledAt = new Date();
      }
      return this.txHost.tx.getRepository(WebhookEndpoint).save(endpoint);
    });
  }

  async remove(userId: string, id: string): Promise<void> {
    await this.scope.run(userId, async () => {
      await this.find(userId, id);
      // Its queued deliveries find no endpoint and are skipped; its history goes with it.
      await this.txHost.tx.getRepository(WebhookDelivery).delete({ endpointId: id, userId });
      await this.txHost.tx.getRepository(WebhookEndpoint).delete({ id, userId });
    });
  }

  /**
   * A new secret, returned once; the old one keeps signing alongside it for 24 h. Checked with
   * `mayReceive` for the endpoint's events: the secret signs them, so whoever holds it can make
   * its receiver take forged ones.
   */
  async rotateSecret(
    userId: string,
    id: string,
    mayReceive: ReceiveCheck = ANY_CALLER,
  ): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    const secret = newSigningSecret();
    const endpoint = await this.scope.run(userId, async () => {
      const row = await this.find(userId, id, true);
      mayReceive(row.events);
      row.previousSecret = row.secret;
      row.previousSecretExpiresAt = new Date(Date.now() + ROTATION_OVERLAP_MS);
      row.secret = this.box.seal(secret);
      return this.txHost.tx.getRepository(WebhookEndpoint).save(row);
    });
    return { endpoint, secret };
  }

  /** Records a `webhook.test` event for this endpoint alone and has the worker deliver it. */
  async sendTest(userId: string, id: string): Promise<{ eventId: string }> {
    const eventId = `msg_${randomUUID().replace(/-/g, '')}`;
    await this.scope.run(userId, async () => {
      const endpoint = this.enabled(await this.find(userId, id));
      await this.txHost.tx.getRepository(WebhookEvent).insert({
        id: eventId,
        userId,
        type: WEBHOOK_TEST_TYPE,
        data: { endpointId: endpoint.id, message: 'A test event from Jewelshot' },
        endpointIds: [endpoint.id],
      });
      await this.events.publish(
        new WebhookDeliveryRequested({
          eventId,
          endpointIds: [endpoint.id],
          userId: endpoint.userId,
          manual: false,
        }),
      );
    });
    return { eventId };
  }

  async deliveries(
    userId: string,
    id: string,
    limit: number,
    cursor?: string,
  ): Promise<{ data: DeliveryWithType[]; nextCursor: string | null }> {
    return this.scope.run(userId, async () => {
      await this.find(userId, id);
      const repo = this.txHost.tx.getRepository(WebhookDelivery);
      const after =
        cursor && isUuid(cursor) ? await repo.findOneBy({ id: cursor, endpointId: id }) : null;
      if (cursor && !after)
        throw new ValidationError([{ field: 'cursor', message: 'unknown cursor' }]);
      const query = repo.createQueryBuilder('delivery').where('delivery.endpointId = :id', { id });
      const page = await newestFirstPage(query, limit, after);
      // What each attempt delivered: one read for the page's events (pruned ones have none).
      const eventIds = [...new Set(page.data.map((delivery) => delivery.eventId))];
      const events =
        eventIds.length === 0
          ? []
          : await this.txHost.tx
              .getRepository(WebhookEvent)
              .find({ select: { id: true, type: true }, where: { id: In(eventIds) } });
      const typeOf = new Map(events.map((event) => [event.id, event.type]));
      return {
        data: page.data.map((delivery) =>
          Object.assign(delivery, { eventType: typeOf.get(delivery.eventId) ?? null }),
        ),
        nextCursor: page.nextCursor,
      };
    });
  }

  /** Sends a delivery's event to its endpoint again (one attempt, same webhook-id). */
  async retryDelivery(
    userId: string,
    id: string,
    deliveryId: string,
    mayReceive: ReceiveCheck = ANY_CALLER,
  ): Promise<{ eventId: string }> {
    return this.scope.run(userId, async () => {
      const endpoint = this.enabled(await this.find(userId, id));
      const delivery = isUuid(deliveryId)
        ? await this.txHost.tx
            .getRepository(WebhookDelivery)
            .findOneBy({ id: deliveryId, endpointId: endpoint.id })
        : null;
      if (!delivery) throw new NotFoundError('Delivery not found');
      const event = await this.txHost.tx
        .getRepository(WebhookEvent)
        .findOne({ select: { id: true, type: true }, where: { id: delivery.eventId } });
      // A pruned event is sent nothing (the delivery finds no event): nothing to check.
      mayReceive(event ? [event.type] : []);
      await this.events.publish(
        new WebhookDeliveryRequested({
          eventId: delivery.eventId,
          endpointIds: [endpoint.id],
          userId: endpoint.userId,
          manual: true,
        }),
      );
      return { eventId: delivery.eventId };
    });
  }

  /** A disabled endpoint is sent nothing: asking for a delivery to one is refused, not dropped. */
  private enabled(endpoint: WebhookEndpoint): WebhookEndpoint {
    if (!endpoint.enabled)
      throw new DomainError(
        'CONFLICT',
        'This endpoint is disabled and is sent nothing: enable it first (PATCH enabled: true)',
        { reason: 'WEBHOOK_ENDPOINT_DISABLED' },
      );
    return endpoint;
  }

  private async find(userId: string, id: string, lock = false): Promise<WebhookEndpoint> {
    if (!isUuid(id)) throw new NotFoundError('Webhook endpoint not found');
    const endpoint = await this.txHost.tx.getRepository(WebhookEndpoint).findOne({
      where: { id, userId },
      ...(lock && { lock: { mode: 'pessimistic_write' as const } }),
    });
    if (!endpoint) throw new NotFoundError('Webhook endpoint not found');
    return endpoint;
  }

  private async checkUrl(url: string): Promise<void> {
    try {
      await resolveTarget(url, { allowPrivate: allowsPrivate(this.config), lookup: this.lookup });
    } catch (error) {
      if (error instanceof TargetRefusedError)
        throw new ValidationError(
          [{ field: 'url', message: error.message, constraint: 'isPublicUrl' }],
          'This URL cannot receive webhooks',
        );
      throw error;
    }
  }
}
