import { randomUUID } from 'node:crypto';
import { getQueueToken } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Queue } from 'bullmq';
import { keepFinished, PLATFORM_CONFIG, type PlatformConfig } from '@jewelshot/platform';
import { retrySchedule, WEBHOOKS_CONFIG, type WebhooksConfig } from './webhooks.config';
import { WEBHOOK_BACKOFF, WEBHOOKS_QUEUE, type DeliverWebhookJob } from './webhooks.queue';

/**
 * Puts deliveries on the `webhooks` queue (in the worker, after the event's commit). The job id
 * is `<event>.<endpoint>`: enqueuing the same delivery twice (a redelivered domain event, a
 * worker that died between commit and enqueue and ran again) adds nothing. A manual retry gets
 * an id of its own and one attempt. The queue is looked up when used: only the worker has it.
 */
@Injectable()
export class WebhookEnqueuer {
  constructor(
    private readonly moduleRef: ModuleRef,
    @Inject(WEBHOOKS_CONFIG) private readonly config: WebhooksConfig,
    @Inject(PLATFORM_CONFIG) private readonly platform: PlatformConfig,
  ) {}

  async enqueue(
    eventId: string,
    endpointIds: string[],
    userId: string | undefined,
    manual = false,
  ): Promise<void> {
    const queue = this.moduleRef.get<Queue<DeliverWebhookJob>>(getQueueToken(WEBHOOKS_QUEUE), {
      strict: false,
    });
    const attempts = manual ? 1 : retrySchedule(this.config).length + 1;
    await queue.addBulk(
      endpointIds.map((endpointId) => ({
        name: 'deliver',
        data: { eventId, endpointId, ...(userId && { userId }) },
        opts: {
          jobId: manual
            ? `${eventId}.${endpointId}.retry-${randomUUID()}`
            : `${eventId}.${endpointId}`,
          attempts,
          backoff: { type: WEBHOOK_BACKOFF },
          ...keepFinished(this.platform, 7 * 86400),
        },
      })),
    );
  }
}
