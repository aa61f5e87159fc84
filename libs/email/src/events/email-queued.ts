import { DomainEvent } from '@jewelshot/platform';

/** A message was recorded `queued` (published in the caller's transaction; its id only). */
export class EmailQueued extends DomainEvent<{ messageId: string }> {
  static readonly eventName = 'email.queued';
}
