import type { AnyEventClass, DomainEvent, EventClass, EventContext } from './domain-event';

/**
 * The two kinds of subscriber (docs/events.md says which to use when):
 * - `in-transaction`: runs inside `publish`, in the publisher's transaction; its failure rolls
 *   the publisher's change back. Only for what must be atomic with it (sign-up credits).
 * - `after-commit`: runs in the worker once the transaction has committed, as a BullMQ job of
 *   its own, at least once (deduplicate on `eventId`), retried on failure without holding up
 *   the other subscribers. For reactions (email, audit, webhooks).
 */
export type SubscriberKind = 'in-transaction' | 'after-commit';

export interface SubscriberOptions {
  /** Stable name, part of the delivery job ids (default `Class.method`): never rename one. */
  name?: string;
  /** after-commit only: deliveries tried before giving up (default 10). */
  attempts?: number;
}

export interface SubscriberMetadata {
  event: AnyEventClass;
  kind: SubscriberKind;
  method: string;
  name: string;
  attempts: number;
}

const SUBSCRIBERS = Symbol('jewelshot:event-subscribers');

export type EventHandler<E extends DomainEvent> = (
  event: E,
  context: EventContext,
) => Promise<void>;

function subscriber<E extends DomainEvent>(
  kind: SubscriberKind,
  event: EventClass<E>,
  options: SubscriberOptions,
) {
  return <H extends EventHandler<E>>(
    target: object,
    method: string | symbol,
    _descriptor: TypedPropertyDescriptor<H>,
  ): void => {
    const list =
      (Reflect.getOwnMetadata(SUBSCRIBERS, target) as SubscriberMetadata[] | undefined) ?? [];
    list.push({
      event,
      kind,
      method: String(method),
      name: options.name ?? `${target.constructor.name}.${String(method)}`,
      attempts: options.attempts ?? 10,
    });
    Reflect.defineMetadata(SUBSCRIBERS, list, target);
  };
}

/** Runs the method inside `publish`, in the publisher's transaction (for what must be atomic). */
export function InTransaction<E extends DomainEvent>(
  event: EventClass<E>,
  options: SubscriberOptions = {},
) {
  return subscriber('in-transaction', event, options);
}

/** Runs the method in the worker after the publisher's commit, as a retried BullMQ job. */
export function AfterCommit<E extends DomainEvent>(
  event: EventClass<E>,
  options: SubscriberOptions = {},
) {
  return subscriber('after-commit', event, options);
}

/** The subscriber methods a provider class declares. */
export function subscribersOf(metatype: unknown): SubscriberMetadata[] {
  if (typeof metatype !== 'function') return [];
  const prototype = (metatype as { prototype?: object }).prototype;
  if (!prototype) return [];
  return (Reflect.getMetadata(SUBSCRIBERS, prototype) as SubscriberMetadata[] | undefined) ?? [];
}
