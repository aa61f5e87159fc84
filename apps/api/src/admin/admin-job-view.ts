import { Injectable } from '@nestjs/common';
import { JobsService, type AiJob } from '@jewelshot/ai-jobs';
import { UsersService } from '@jewelshot/identity';
import { RowScope } from '@jewelshot/platform';
import { JobView } from '../ai/job-view.service';
import type { AdminJobDto } from './admin.dto';

/**
 * Jobs as an admin sees them: the seller's view plus owner (id and email), hold, provider, the
 * raw error and the retry links (what a job retries, and the job a failed one was retried as).
 */
@Injectable()
export class AdminJobView {
  constructor(
    private readonly view: JobView,
    private readonly scope: RowScope,
    private readonly jobs: JobsService,
    private readonly users: UsersService,
  ) {}

  async list(jobs: AiJob[]): Promise<AdminJobDto[]> {
    // The outputs' file rows belong to their owners: an admin reads them on purpose.
    const [dtos, retries, emails] = await this.scope.allUsers(() =>
      Promise.all([
        this.view.jobs(jobs),
        this.jobs.retriesOf(jobs.filter((job) => job.status === 'failed').map((job) => job.id)),
        this.users.emailsOf(jobs.map((job) => job.userId)),
      ]),
    );
    return dtos.map((dto, index) => {
      const job = jobs[index] as AiJob;
      return {
        ...dto,
        userId: job.userId,
        userEmail: emails.get(job.userId) ?? null,
        holdId: job.holdId,
        provider: job.provider,
        providerRequestId: job.providerRequestId,
        rawErrorCode: job.errorCode,
        rawErrorMessage: job.errorMessage,
        retryOf: job.retryOf,
        retriedAs: retries.get(job.id) ?? null,
      };
    });
  }

  async one(job: AiJob): Promise<AdminJobDto> {
    const [dto] = await this.list([job]);
    if (!dto) throw new Error('unreachable: one job in, one out');
    return dto;
  }
}
