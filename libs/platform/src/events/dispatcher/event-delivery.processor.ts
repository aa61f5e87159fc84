import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import type { PlatformConfig } from '../../config/platform.config';
import type { EventClass } from '../domain-event';
import { EventRegistry } from '../event-registry';
import { loggableError } from '../../logging/loggable-error';
import { workerErrorWarning } from '../../queue/queue-errors';
import { EVENTS_QUEUE, type DeliveryJob } from './events.queue';

/**
 * Hands one event to one after-commit subscriber. A throw is retried by BullMQ with backoff;
 * each subscriber has its own job, so one failing never holds up the others or later events.
 */
@Injectable()
export class EventDeliveryProcessor extends WorkerHost {
  private readonly logger = new Logger(EventDeliveryProcessor.name);
  private readonly warnError = workerErrorWarning(EVENTS_QUEUE, this.logger);

  constructor(private readonly registry: EventRegistry) {
    super();
  }

  async process(job: Job<DeliveryJob>): Promise<void> {
    const { eventId, event, payload, subscriber: name } = job.data;
    const eventClass = this.registry.eventClass(event);
    const subscriber = this.registry.subscriber(name);
    if (!eventClass || !subscriber?.handle || subscriber.event !== event)
      throw new UnrecoverableError(`no subscriber ${name} of ${event} in this worker`);
    const Event = eventClass as unknown as EventClass;
    await subscriber.handle(new Event(payload), { eventId });
  }

  /** BullMQ's own errors (Redis away, a job's key gone): logged now and then, not printed each time. */
  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.warnError(error);
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job<DeliveryJob> | undefined, error: Error): void {
    if (!job) return;
    this.logger.warn(
      {
        err: loggableError(error),
        eventId: job.data.eventId,
        subscriber: job.data.subscriber,
        attempt: job.attemptsMade,
      },
      'event delivery failed',
    );
  }
}

/** The processor with its BullMQ worker options from config (like the AI jobs' processor). */
export function eventDeliveryProcessorFor(config: PlatformConfig): typeof EventDeliveryProcessor {
  Processor(EVENTS_QUEUE, {
    concurrency: config.EVENTS_CONCURRENCY,
    // A worker that dies mid-delivery loses its lock after this; another worker redelivers.
    lockDuration: config.EVENTS_LOCK_MS,
    stalledInterval: config.EVENTS_LOCK_MS,
    maxStalledCount: 2,
  })(EventDeliveryProcessor);
  return EventDeliveryProcessor;
}
