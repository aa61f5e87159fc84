import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import {
  retrySchedule,
  WEBHOOK_BACKOFF,
  WEBHOOKS_QUEUE,
  WebhookDeliverer,
  type DeliverWebhookJob,
  type DeliveryResult,
} from '@jewelshot/webhooks';
import { workerErrorWarning } from '@jewelshot/platform';
import type { WorkerConfig } from '../worker.config';

/** A delivery the receiver did not accept: BullMQ tries again on the schedule. */
class DeliveryFailedError extends Error {}

/**
 * Sends the `webhooks` queue's deliveries. A failed attempt throws, so BullMQ retries it after
 * the next wait of WEBHOOK_RETRY_SCHEDULE (the job keeps its id: the same `webhook-id` goes
 * out each time). A worker killed mid-delivery loses its lock; the job is stalled and another
 * worker (or this one, restarted) sends it again: at least once.
 */
// @Injectable so the constructor's parameter types are emitted; @Processor comes from config below.
@Injectable()
export class WebhooksProcessor extends WorkerHost {
  private readonly logger = new Logger(WebhooksProcessor.name);
  private readonly warnError = workerErrorWarning(WEBHOOKS_QUEUE, this.logger);

  constructor(private readonly deliverer: WebhookDeliverer) {
    super();
  }

  async process(job: Job<DeliverWebhookJob>): Promise<DeliveryResult> {
    const result = await this.deliverer.deliver(job.data.eventId, job.data.endpointId);
    if (result === 'failed') throw new DeliveryFailedError('the receiver did not accept it');
    return result;
  }

  /** BullMQ's own errors (Redis away, a job's key gone): logged now and then, not printed each time. */
  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.warnError(error);
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job<DeliverWebhookJob> | undefined, error: Error): void {
    if (!job) return;
    this.logger.warn(
      { err: error, ...job.data, attempt: job.attemptsMade },
      'webhook delivery failed',
    );
  }
}

/**
 * BullMQ's backoff for delivery jobs: the wait after the n-th failed attempt is the schedule's
 * n-th entry (BullMQ passes the attempts made, this one included).
 */
export function webhookBackoff(schedule: readonly number[]) {
  return (attemptsMade: number, type?: string): number =>
    type === WEBHOOK_BACKOFF ? (schedule[Math.min(attemptsMade, schedule.length) - 1] ?? 0) : 1000;
}

/** The processor with its worker options from config, and the retry schedule as its backoff. */
export function webhooksProcessorFor(config: WorkerConfig): typeof WebhooksProcessor {
  const schedule = retrySchedule(config);
  Processor(WEBHOOKS_QUEUE, {
    concurrency: config.WEBHOOK_CONCURRENCY,
    lockDuration: config.JOB_LOCK_MS,
    stalledInterval: config.JOB_LOCK_MS,
    maxStalledCount: 5,
    settings: { backoffStrategy: webhookBackoff(schedule) },
  })(WebhooksProcessor);
  return WebhooksProcessor;
}
