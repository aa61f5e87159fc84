/** What an event carries: plain JSON, stored in the outbox and handed to every subscriber. */
export type EventPayload = { [key: string]: unknown };

/**
 * A fact one domain announces to others ("a user registered"). Each event is a class with a
 * stable `eventName` (stored in the outbox and in job ids: never rename one) and a JSON payload:
 *
 *     export class UserRegistered extends DomainEvent<{ userId: string }> {
 *       static readonly eventName = 'identity.user-registered';
 *     }
 *
 * The publishing lib declares the events it publishes with `declareEvents([...])` among its
 * providers; the registry refuses a subscriber of an undeclared event at start-up.
 */
export abstract class DomainEvent<P extends EventPayload = EventPayload> {
  constructor(readonly payload: P) {}

  get name(): string {
    return (this.constructor as AnyEventClass).eventName;
  }
}

/** Any event class, whatever its payload (what the registry stores). */
export interface AnyEventClass {
  readonly eventName: string;
  new (payload: never): DomainEvent;
}

export interface EventClass<E extends DomainEvent = DomainEvent> {
  readonly eventName: string;
  new (payload: E['payload']): E;
}

/** Delivery details next to the event: its outbox id, the same on every (re)delivery. */
export interface EventContext {
  /** The event's unique id: a subscriber deduplicates its effects on it. */
  eventId: string;
}

/** The events a lib publishes, as a provider value (see declareEvents). */
export class DeclaredEvents {
  constructor(readonly events: readonly AnyEventClass[]) {}
}

/** Declares, among a lib module's providers, the events that lib publishes. */
export function declareEvents(events: readonly AnyEventClass[]): {
  provide: symbol;
  useValue: DeclaredEvents;
} {
  return {
    provide: Symbol(`declared events: ${events.map((e) => e.eventName).join(', ')}`),
    useValue: new DeclaredEvents(events),
  };
}
