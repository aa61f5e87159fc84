import { Injectable } from '@nestjs/common';
import type { JobFailureCode } from '../ai-jobs.errors';
import { FilesService } from '../files/files.service';
import type { StoredFile } from '../files/stored-file.entity';
import type { AiJob, JobStatus, Operation, Priority } from './ai-job.entity';

/** A job as `GET /v1/ai/jobs/{id}` returns it, and as a webhook carries it. */
export interface JobViewData {
  id: string;
  operation: Operation;
  params: Record<string, unknown>;
  status: JobStatus;
  priority: Priority;
  cost: number;
  attempts: number;
  cancelRequested: boolean;
  batchId: string | null;
  queuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: { code: JobFailureCode; message: string } | null;
  outputs: Array<{ fileId: string; url: string; width: number; height: number }>;
}

/**
 * Turns jobs into their public shape with fresh signed output links: one builder for the API's
 * answers and the webhooks' payloads, so the two never drift.
 */
@Injectable()
export class JobViews {
  constructor(private readonly files: FilesService) {}

  async jobs(jobs: AiJob[]): Promise<JobViewData[]> {
    const outputs = await this.files.listForJobs(
      jobs.filter((job) => job.status === 'succeeded').map((job) => job.id),
    );
    const byJob = new Map<string, StoredFile[]>();
    for (const file of outputs)
      byJob.set(file.jobId ?? '', [...(byJob.get(file.jobId ?? '') ?? []), file]);
    return Promise.all(
      jobs.map(async (job) => ({
        id: job.id,
        operation: job.operation,
        params: job.params,
        status: job.status,
        priority: job.priority,
        cost: job.cost,
        attempts: job.attempts,
        cancelRequested: job.cancelRequestedAt !== null,
        batchId: job.batchId,
        queuedAt: job.createdAt.toISOString(),
        startedAt: job.startedAt?.toISOString() ?? null,
        finishedAt: job.finishedAt?.toISOString() ?? null,
        // Only our own codes and messages: never a provider's internals.
        error:
          job.status === 'failed' || job.status === 'canceled'
            ? {
                code: job.errorCode ?? (job.status === 'canceled' ? 'CANCELED' : 'INTERNAL_ERROR'),
                message: job.errorMessage ?? 'The job did not complete',
              }
            : null,
        outputs: await Promise.all(
          (byJob.get(job.id) ?? []).map(async (file) => ({
            fileId: file.id,
            url: (await this.files.link(file)).url,
            width: file.width,
            height: file.height,
          })),
        ),
      })),
    );
  }

  async job(job: AiJob): Promise<JobViewData> {
    const [view] = await this.jobs([job]);
    if (!view) throw new Error('unreachable: one job in, one out');
    return view;
  }
}
