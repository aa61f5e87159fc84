import { Injectable } from '@nestjs/common';
import type { AuditActor } from '@jewelshot/audit';
import { AiJob, JobQueue, JobsService, type JobPage, type JobSearch } from '@jewelshot/ai-jobs';
import { RowScope } from '@jewelshot/platform';
import { AdminActions, isSelf } from './admin-actions';
import { SelfActionError } from './admin.errors';

const JOB_VIEW = (job: AiJob) => ({ status: job.status, cost: job.cost, holdId: job.holdId });

/** Admin use cases on AI jobs: every user's jobs, detail, cancel with refund, retry. */
@Injectable()
export class AdminJobs {
  constructor(
    private readonly actions: AdminActions,
    private readonly jobs: JobsService,
    private readonly queue: JobQueue,
    private readonly scope: RowScope,
  ) {}

  search(search: JobSearch, limit: number, cursor?: string): Promise<JobPage> {
    return this.scope.allUsers(() => this.jobs.search(search, limit, cursor));
  }

  detail(jobId: string): Promise<AiJob> {
    return this.scope.allUsers(() => this.jobs.getVisible(jobId, '', true));
  }

  cancel(actor: AuditActor, jobId: string, reason: string): Promise<AiJob> {
    return this.actions.run(
      actor,
      { action: 'job.cancel', targetType: 'job', targetId: jobId, reason },
      async () => {
        const before = JOB_VIEW(await this.jobs.getVisible(jobId, '', true));
        const job = await this.jobs.cancelLocked(jobId);
        return {
          result: job,
          before,
          after: { ...JOB_VIEW(job), refunded: job.cost },
          afterCommit: () => this.jobs.announceCanceled([jobId]),
        };
      },
    );
  }

  /**
   * A failed job again as a new job: paid by the user (`user`), or free of charge (`free`: the
   * user is granted its price first; never on the admin's own job). The choice is in the audit
   * event.
   */
  retry(actor: AuditActor, jobId: string, payer: 'user' | 'free', reason: string): Promise<AiJob> {
    return this.actions.run(
      actor,
      { action: 'job.retry', targetType: 'job', targetId: jobId, reason },
      async () => {
        const failed = await this.jobs.getVisible(jobId, '', true);
        // A free retry grants its price: on one's own job, credits one gave oneself.
        if (payer === 'free' && isSelf(actor, failed.userId))
          throw new SelfActionError('retry free of charge a job of');
        const { job, granted } = await this.jobs.retry(jobId, payer);
        return {
          result: job,
          before: JOB_VIEW(failed),
          after: { newJobId: job.id, status: job.status, cost: job.cost },
          details: { payer, granted },
          afterCommit: async () => {
            await this.queue.enqueue([job]);
          },
        };
      },
    );
  }
}
