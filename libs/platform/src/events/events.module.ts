import { Global, Module } from '@nestjs/common';
import { EventRegistry } from './event-registry';
import { Events } from './events.service';

/** The outbox's publishing side and the registry, in every process (API, worker, CLI). */
@Global()
@Module({
  providers: [EventRegistry, Events],
  exports: [EventRegistry, Events],
})
export class EventsModule {}
