import { Injectable } from '@nestjs/common';
import { BatchFinished, JobEnded } from '@jewelshot/ai-jobs';
import { AfterCommit, type EventContext } from '@jewelshot/platform';
import { WebhookFanOut } from './webhook-fan-out';

/**
 * The jobs' announcements: `job.succeeded|failed|canceled` and `batch.finished`. Apart from
 * WebhookFanOut because only the processes that run jobs (the API and the worker, through
 * JobWebhooksModule) declare those events; the CLI has the ledger but not the jobs.
 */
@Injectable()
export class JobWebhooks {
  constructor(private readonly fanOut: WebhookFanOut) {}

  @AfterCommit(JobEnded, { name: 'webhooks.job-ended', attempts: 20 })
  async jobEnded(event: JobEnded, { eventId }: EventContext): Promise<void> {
    const { jobId, userId, status } = event.payload;
    await this.fanOut.announce(eventId, userId, `job.${status}`, { id: jobId });
  }

  @AfterCommit(BatchFinished, { name: 'webhooks.batch-finished', attempts: 20 })
  async batchFinished(event: BatchFinished, { eventId }: EventContext): Promise<void> {
    const { batchId, userId, total, succeeded, failed, canceled } = event.payload;
    await this.fanOut.announce(eventId, userId, 'batch.finished', {
      id: batchId,
      total,
      succeeded,
      failed,
      canceled,
    });
  }
}
