import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import { EMAIL_QUEUE, EmailSender, type SendEmailJob } from '@jewelshot/email';
import { loggableError, workerErrorWarning } from '@jewelshot/platform';
import type { WorkerConfig } from '../worker.config';

/**
 * Sends the `email` queue's messages. A thrown provider error is retried by BullMQ with
 * exponential backoff (EMAIL_ATTEMPTS, EMAIL_BACKOFF_MS); a permanent refusal ends the job at once.
 */
// @Injectable so the constructor's parameter types are emitted; @Processor comes from config below.
@Injectable()
export class EmailProcessor extends WorkerHost {
  private readonly logger = new Logger(EmailProcessor.name);
  private readonly warnError = workerErrorWarning(EMAIL_QUEUE, this.logger);

  constructor(private readonly sender: EmailSender) {
    super();
  }

  async process(job: Job<SendEmailJob>): Promise<string> {
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const outcome = await this.sender.send(job.data.messageId, lastAttempt);
    if (outcome === 'failed') throw new UnrecoverableError('the provider refused the message');
    return outcome;
  }

  /** BullMQ's own errors (Redis away, a job's key gone): logged now and then, not printed each time. */
  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.warnError(error);
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job<SendEmailJob> | undefined, error: Error): void {
    if (!job) return;
    this.logger.warn(
      { err: loggableError(error), messageId: job.data.messageId, attempt: job.attemptsMade },
      'email send failed',
    );
  }
}

/**
 * The processor with its worker options from config: the limiter keeps every worker together
 * under the provider's request rate (BullMQ's limiter is per queue, shared through Redis).
 */
export function emailProcessorFor(config: WorkerConfig): typeof EmailProcessor {
  Processor(EMAIL_QUEUE, {
    concurrency: 4,
    limiter: { max: config.EMAIL_SEND_RATE_PER_SECOND, duration: 1000 },
    lockDuration: config.JOB_LOCK_MS,
    stalledInterval: config.JOB_LOCK_MS,
    maxStalledCount: 2,
  })(EmailProcessor);
  return EmailProcessor;
}
