import { getQueueToken } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Queue } from 'bullmq';
import {
  AfterCommit,
  keepFinished,
  PLATFORM_CONFIG,
  type PlatformConfig,
} from '@jewelshot/platform';
import { EMAIL_CONFIG, type EmailConfig } from './email.config';
import { EMAIL_QUEUE, type SendEmailJob } from './email.queue';
import { EmailQueued } from './events/email-queued';

/**
 * Hands a committed message to the `email` queue (an after-commit subscriber, so it runs in the
 * worker, only for a message whose transaction committed). The job id is the message id: a
 * redelivered event adds nothing. The queue is looked up when used, because only the worker
 * registers it (the API and the CLI publish, they never send).
 */
@Injectable()
export class EmailQueueHandOff {
  constructor(
    private readonly moduleRef: ModuleRef,
    @Inject(EMAIL_CONFIG) private readonly config: EmailConfig,
    @Inject(PLATFORM_CONFIG) private readonly platform: PlatformConfig,
  ) {}

  @AfterCommit(EmailQueued, { name: 'email.hand-to-queue', attempts: 20 })
  async handOff(event: EmailQueued): Promise<void> {
    const queue = this.moduleRef.get<Queue<SendEmailJob>>(getQueueToken(EMAIL_QUEUE), {
      strict: false,
    });
    const { messageId } = event.payload;
    await queue.add(
      'send',
      { messageId },
      {
        jobId: messageId,
        attempts: this.config.EMAIL_ATTEMPTS,
        backoff: { type: 'exponential', delay: this.config.EMAIL_BACKOFF_MS },
        ...keepFinished(this.platform, 7 * 86400),
      },
    );
  }
}
