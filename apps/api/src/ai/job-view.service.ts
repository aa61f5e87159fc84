import { Injectable } from '@nestjs/common';
import {
  FilesService,
  JobViews,
  type AiJob,
  type Batch,
  type BatchProgress,
  type StoredFile,
} from '@jewelshot/ai-jobs';
import { BatchSummaryDto, JobDto } from './ai.dto';
import { FileDto } from '../files/files.dto';

/** Turns jobs, batches and files into their API shape, with fresh signed links (jobs: JobViews). */
@Injectable()
export class JobView {
  constructor(
    private readonly files: FilesService,
    private readonly views: JobViews,
  ) {}

  async fileList(files: StoredFile[]): Promise<FileDto[]> {
    return Promise.all(files.map((file) => this.file(file)));
  }

  async file(file: StoredFile): Promise<FileDto> {
    const link = await this.files.link(file);
    return {
      id: file.id,
      kind: file.kind,
      jobId: file.jobId,
      url: link.url,
      urlExpiresAt: link.expiresAt.toISOString(),
      width: file.width,
      height: file.height,
      bytes: file.bytes,
      contentType: file.contentType,
      createdAt: file.createdAt.toISOString(),
    };
  }

  async jobs(jobs: AiJob[]): Promise<JobDto[]> {
    return this.views.jobs(jobs);
  }

  async job(job: AiJob): Promise<JobDto> {
    const [dto] = await this.jobs([job]);
    if (!dto) throw new Error('unreachable: one job in, one out');
    return dto;
  }

  batch(batch: Batch, progress: BatchProgress): BatchSummaryDto {
    return {
      progress,
      id: batch.id,
      name: batch.name,
      operation: batch.operation,
      params: batch.params,
      total: batch.total,
      createdAt: batch.createdAt.toISOString(),
    };
  }
}
