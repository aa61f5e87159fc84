import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Module } from '@nestjs/common';
import type { PlatformConfig } from '../../config/platform.config';
import { SchedulesModule } from '../../schedule/schedules.module';
import { EventsModule } from '../events.module';
import { EventDispatcher } from './event-dispatcher';
import { eventDeliveryProcessorFor } from './event-delivery.processor';
import { EVENTS_QUEUE } from './events.queue';
import { EventsOutboxMetrics } from './events-outbox.metrics';
import { METRICS_SOURCES } from '../../metrics/metrics-source';

/** The worker's half of the outbox: the dispatcher and the delivery processor. */
@Module({})
export class EventsDispatchModule {
  static forRoot(config: PlatformConfig): DynamicModule {
    return {
      module: EventsDispatchModule,
      imports: [EventsModule, SchedulesModule, BullModule.registerQueue({ name: EVENTS_QUEUE })],
      providers: [
        EventDispatcher,
        eventDeliveryProcessorFor(config),
        EventsOutboxMetrics,
        { provide: METRICS_SOURCES, useExisting: EventsOutboxMetrics },
      ],
      exports: [EventDispatcher],
    };
  }
}
