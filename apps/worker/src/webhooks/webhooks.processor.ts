import { randomInt, randomUUID } from 'node:crypto';
import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DelayedError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  retrySchedule,
  WEBHOOK_BACKOFF,
  WEBHOOKS_CONFIG,
  WEBHOOKS_QUEUE,
  WebhookDeliverer,
  type DeliverWebhookJob,
  type DeliveryResult,
  type WebhooksConfig,
} from '@jewelshot/webhooks';
import {
  loggableError,
  REDIS,
  RedisConcurrencyStorage,
  throttledWarn,
  workerErrorWarning,
} from '@jewelshot/platform';
import type { WorkerConfig } from '../worker.config';
import { DeliveryShares } from './delivery-shares';

/** How long a delivery waits in the worker for a slot of its owner's share before it steps aside. */
const SHARE_WAIT_MS = 500;
/** A delivery that stepped aside goes back to the queue after this (plus up to as much again). */
const STEP_ASIDE_MS = 1000;

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
  private readonly warnRelease = throttledWarn(this.logger);
  /** Each user's share of the delivery workers, and the smaller one of their failing endpoints. */
  private readonly shares: DeliveryShares;
  private readonly failingShares: DeliveryShares;

  constructor(
    private readonly deliverer: WebhookDeliverer,
    @Inject(WEBHOOKS_CONFIG) config: WebhooksConfig,
    @Inject(REDIS) redis: Redis,
  ) {
    super();
    const slots = new RedisConcurrencyStorage(redis);
    // A slot outlives the longest delivery (the POST's timeout, the reads and the record).
    const leaseMs = config.WEBHOOK_TIMEOUT_MS * 2 + 30_000;
    this.shares = new DeliveryShares(
      slots,
      'webhook-deliveries',
      config.WEBHOOK_USER_CONCURRENCY,
      leaseMs,
    );
    this.failingShares = new DeliveryShares(
      slots,
      'webhook-failing-deliveries',
      config.WEBHOOK_FAILING_USER_CONCURRENCY,
      leaseMs,
    );
  }

  /**
   * One delivery, in its owner's share of the workers: when WEBHOOK_USER_CONCURRENCY of their
   * deliveries are already in flight (WEBHOOK_FAILING_USER_CONCURRENCY to endpoints in a failing
   * run), it waits up to SHARE_WAIT_MS for one to end; still full (their endpoints are slow),
   * the job steps aside for a second or two (not an attempt: the retry schedule is untouched)
   * and the worker takes someone else's.
   */
  async process(job: Job<DeliverWebhookJob>, token?: string): Promise<DeliveryResult> {
    const { eventId, endpointId, userId } = job.data;
    const owner = userId ?? `endpoint:${endpointId}`;
    const member = `${job.id}:${randomUUID()}`;
    const giveBack = await this.shares.take(owner, member, SHARE_WAIT_MS);
    if (!giveBack) return this.stepAside(job, token);
    try {
      const result = await this.deliverer.deliver(eventId, endpointId, async (endpoint) => {
        if (!endpoint.failingSince) return async () => undefined;
        const giveBackFailing = await this.failingShares.take(owner, member, SHARE_WAIT_MS);
        return giveBackFailing && (() => this.quietly(giveBackFailing));
      });
      if (result === 'busy') return await this.stepAside(job, token);
      if (result === 'failed') throw new DeliveryFailedError('the receiver did not accept it');
      return result;
    } finally {
      await this.quietly(giveBack);
    }
  }

  /** Back to the queue for a second or two: not an attempt, the retry schedule is untouched. */
  private async stepAside(job: Job<DeliverWebhookJob>, token?: string): Promise<never> {
    await job.moveToDelayed(Date.now() + STEP_ASIDE_MS + randomInt(STEP_ASIDE_MS), token);
    throw new DelayedError();
  }

  /** Gives a slot back; one not given back (Redis away) lapses with its lease. */
  private async quietly(giveBack: () => Promise<void>): Promise<void> {
    await giveBack().catch((error: unknown) =>
      this.warnRelease(`a webhook delivery share was not given back: ${String(error)}`),
    );
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
      {
        err: loggableError(error),
        // The ids by name, not `...job.data`: whatever else a job may carry stays out of the log.
        eventId: job.data.eventId,
        endpointId: job.data.endpointId,
        userId: job.data.userId,
        attempt: job.attemptsMade,
      },
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
