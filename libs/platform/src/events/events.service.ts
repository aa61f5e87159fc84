import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import type { DomainEvent } from './domain-event';
import { EventRegistry } from './event-registry';

/**
 * Publishes domain events through the transactional outbox. `publish` must run inside the
 * caller's transaction: the event's row is written in it, so it commits with the change or
 * not at all. The in-transaction subscribers run at once, in that transaction (their failure
 * fails the publish and so the caller's transaction); the worker's dispatcher later hands the
 * committed row to every after-commit subscriber.
 */
@Injectable()
export class Events {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly registry: EventRegistry,
  ) {}

  async publish(event: DomainEvent): Promise<string> {
    if (!this.txHost.isTransactionActive())
      throw new Error(`publish(${event.name}) must run inside the change's transaction`);
    if (!this.registry.isDeclared(event))
      throw new Error(`event ${event.name} is not declared by any module (declareEvents)`);
    // The id is made here, so the API's role needs INSERT only (no RETURNING, no SELECT):
    // it must not read other users' events.
    const id = randomUUID();
    await this.txHost.tx.query(
      `INSERT INTO domain_events (id, name, payload) VALUES ($1, $2, $3::jsonb)`,
      [id, event.name, JSON.stringify(event.payload)],
    );
    for (const subscriber of this.registry.subscribers(event.name, 'in-transaction'))
      await subscriber.handle?.(event, { eventId: id });
    return id;
  }
}
