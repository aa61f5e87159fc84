import { Injectable, OnModuleInit } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import {
  DeclaredEvents,
  type AnyEventClass,
  type DomainEvent,
  type EventContext,
} from './domain-event';
import { subscribersOf, type SubscriberKind } from './subscribers';

/** One provider of an application, as the registry reads it. */
export interface ProviderEntry {
  metatype: unknown;
  instance?: unknown;
}

export interface RegisteredSubscriber {
  event: string;
  kind: SubscriberKind;
  name: string;
  attempts: number;
  /** Set when built from a running application (absent for `events:map`). */
  handle?: (event: DomainEvent, context: EventContext) => Promise<void>;
}

export interface EventCatalogue {
  events: Map<string, AnyEventClass>;
  subscribers: RegisteredSubscriber[];
  /** Why the catalogue is unusable; empty when it is fine. */
  errors: string[];
}

/**
 * Reads the declared events and the subscriber methods out of an application's providers and
 * checks them: an event nobody subscribes to, a subscriber of an event nobody declares, two
 * events with one name or two subscribers with one name are errors.
 */
export function buildCatalogue(providers: Iterable<ProviderEntry>): EventCatalogue {
  const events = new Map<string, AnyEventClass>();
  const subscribers: RegisteredSubscriber[] = [];
  const errors: string[] = [];
  const seenClasses = new Set<unknown>();
  const pending: Array<{ event: AnyEventClass; subscriber: RegisteredSubscriber }> = [];

  for (const provider of providers) {
    if (provider.instance instanceof DeclaredEvents) {
      for (const event of provider.instance.events) {
        const existing = events.get(event.eventName);
        if (existing && existing !== event) errors.push(`two events are named ${event.eventName}`);
        events.set(event.eventName, event);
      }
      continue;
    }
    if (seenClasses.has(provider.metatype)) continue;
    seenClasses.add(provider.metatype);
    for (const meta of subscribersOf(provider.metatype)) {
      const instance = provider.instance as Record<string, unknown> | undefined;
      const method = instance?.[meta.method];
      const subscriber: RegisteredSubscriber = {
        event: meta.event.eventName,
        kind: meta.kind,
        name: meta.name,
        attempts: meta.attempts,
        ...(typeof method === 'function' && {
          handle: (event: DomainEvent, context: EventContext) =>
            (method as (e: DomainEvent, c: EventContext) => Promise<void>).call(
              instance,
              event,
              context,
            ),
        }),
      };
      pending.push({ event: meta.event, subscriber });
    }
  }

  const names = new Set<string>();
  for (const { event, subscriber } of pending) {
    if (events.get(event.eventName) !== event)
      errors.push(
        `subscriber ${subscriber.name} listens to ${event.eventName ?? event.name}, which no module declares (declareEvents)`,
      );
    if (names.has(subscriber.name)) errors.push(`two subscribers are named ${subscriber.name}`);
    names.add(subscriber.name);
    subscribers.push(subscriber);
  }
  for (const name of events.keys())
    if (!subscribers.some((s) => s.event === name)) errors.push(`event ${name} has no subscriber`);
  return { events, subscribers, errors };
}

/** The running application's events and subscribers, checked at start-up. */
@Injectable()
export class EventRegistry implements OnModuleInit {
  private catalogue: EventCatalogue = { events: new Map(), subscribers: [], errors: [] };

  constructor(private readonly modules: ModulesContainer) {}

  onModuleInit(): void {
    const providers: ProviderEntry[] = [];
    for (const module of this.modules.values())
      for (const wrapper of module.providers.values())
        providers.push({ metatype: wrapper.metatype, instance: wrapper.instance });
    const catalogue = buildCatalogue(providers);
    if (catalogue.errors.length > 0)
      throw new Error(`Event registry: ${catalogue.errors.join('; ')}`);
    this.catalogue = catalogue;
  }

  eventNames(): string[] {
    return [...this.catalogue.events.keys()];
  }

  eventClass(name: string): AnyEventClass | undefined {
    return this.catalogue.events.get(name);
  }

  subscribers(event: string, kind: SubscriberKind): RegisteredSubscriber[] {
    return this.catalogue.subscribers.filter((s) => s.event === event && s.kind === kind);
  }

  subscriber(name: string): RegisteredSubscriber | undefined {
    return this.catalogue.subscribers.find((s) => s.name === name);
  }

  isDeclared(event: DomainEvent): boolean {
    return this.catalogue.events.get(event.name) === event.constructor;
  }
}
