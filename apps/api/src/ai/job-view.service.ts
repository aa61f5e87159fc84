import { Injectable } from '@nestjs/common';
import { FilesService, type AiJob, type Batch, type StoredFile } from '@jewelshot/ai-jobs';
import { BatchSummaryDto, JobDto } from './ai.dto';
import { FileDto } from '../files/files.dto';

/** Turns jobs, batches and files into their API shape, with fresh signed links. */
@Injectable()
export class JobView {
  constructor(private readonly files: FilesService) {}

  async file(file: StoredFile): Promise<FileDto> {
    const link = await this.files.link(file);
    return {
      id: file.id,
      url: link.url,
      urlExpiresAt: link.expiresAt.toISOString(),
      width: file.width,
      height: file.height,
      bytes: file.bytes,
      contentType: file.contentType,
    };
  }

  async jobs(jobs: AiJob[]): Promise<JobDto[]> {
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

  async job(job: AiJob): Promise<JobDto> {
    const [dto] = await this.jobs([job]);
    if (!dto) throw new Error('unreachable: one job in, one out');
    return dto;
  }

  batch(batch: Batch): BatchSummaryDto {
    return {
      id: batch.id,
      name: batch.name,
      operation: batch.operation,
      params: batch.params,
      total: batch.total,
      createdAt: batch.createdAt.toISOString(),
    };
  }
}
