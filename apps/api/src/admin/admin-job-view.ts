import type { AiJob } from '@jewelshot/ai-jobs';
import type { RowScope } from '@jewelshot/platform';
import type { JobView } from '../ai/job-view.service';
import type { AdminJobDto } from './admin.dto';

/** Jobs as an admin sees them: the seller's view plus owner, hold, provider and the raw error. */
export async function adminJobs(
  view: JobView,
  scope: RowScope,
  jobs: AiJob[],
): Promise<AdminJobDto[]> {
  // The outputs' file rows belong to their owners: an admin reads them on purpose.
  const dtos = await scope.allUsers(() => view.jobs(jobs));
  return dtos.map((dto, index) => {
    const job = jobs[index] as AiJob;
    return {
      ...dto,
      userId: job.userId,
      holdId: job.holdId,
      provider: job.provider,
      providerRequestId: job.providerRequestId,
      rawErrorCode: job.errorCode,
      rawErrorMessage: job.errorMessage,
      retryOf: job.retryOf,
    };
  });
}
