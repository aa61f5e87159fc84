import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { randomUUID } from 'node:crypto';
import { In } from 'typeorm';
import { InsufficientCreditsError, LedgerService } from '@jewelshot/credit-ledger';
import { User } from '@jewelshot/identity';
import { isUuid, newestFirstPage, RowScope, ValidationError } from '@jewelshot/platform';
import { BatchNotFoundError, JobNotCancelableError, JobNotFoundError } from '../ai-jobs.errors';
import { AiJob, TERMINAL_STATUSES, type JobStatus, type Priority } from './ai-job.entity';
import { Batch } from './batch.entity';
import { StoredFile } from '../files/stored-file.entity';
import { validateJob, type ValidJob } from './job-params';
import { JobQueue } from './job-queue';
import { JobSignals } from './job-signals';
import { JobTransitions } from './job-transitions';

export interface JobPage {
  data: AiJob[];
  nextCursor: string | null;
}

export interface BatchProgress {
  total: number;
  queued: number;
  running: number;
  succeeded: number;
  failed: number;
  canceled: number;
}

export const MAX_BATCH_ITEMS = 100;

/** Creating, reading and canceling AI jobs and batches: the only way to a provider is the queue. */
@Injectable()
export class JobsService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly ledger: LedgerService,
    private readonly queue: JobQueue,
    private readonly signals: JobSignals,
    private readonly scope: RowScope,
    private readonly transitions: JobTransitions,
  ) {}

  private get jobs() {
    return this.txHost.tx.getRepository(AiJob);
  }

  private async priorityOf(userId: string): Promise<Priority> {
    const user = await this.txHost.tx.getRepository(User).findOneBy({ id: userId });
    return user?.priorityTier ?? 'normal';
  }

  private async assertOwnImages(
    userId: string,
    ids: string[],
    field: (index: number) => string,
  ): Promise<void> {
    if (ids.length === 0) return;
    const found = await this.txHost.tx
      .getRepository(StoredFile)
      .findBy({ id: In([...new Set(ids)]), userId, kind: In(['upload', 'output']) });
    const mine = new Set(found.map((file) => file.id));
    const missing = ids.flatMap((id, index) =>
      mine.has(id) ? [] : [{ field: field(index), message: 'no such image of yours' }],
    );
    if (missing.length > 0) throw new ValidationError(missing);
  }

  /**
   * Validates, then in ONE transaction holds the price and inserts the job `queued`; enqueues
   * after commit. Not enough credits: 402 and nothing is created. Its own row scope (not the
   * caller's): the job must be committed before it is enqueued.
   */
  async submit(
    userId: string,
    operation: unknown,
    params: unknown,
    /** Runs inside the job's transaction (the idempotency key records its job there). */
    withinTransaction?: (job: AiJob) => Promise<void>,
  ): Promise<AiJob> {
    const valid = validateJob(operation, params);
    const job = await this.scope.run(userId, async () => {
      if (valid.inputImageId)
        await this.assertOwnImages(userId, [valid.inputImageId], () => 'params.inputImageId');
      const priority = await this.priorityOf(userId);
      const created = await this.createJob(userId, valid, priority, null);
      await withinTransaction?.(created);
      return created;
    });
    await this.queue.enqueue([job]);
    return job;
  }

  private async createJob(
    userId: string,
    valid: ValidJob,
    priority: Priority,
    batchId: string | null,
  ): Promise<AiJob> {
    const id = randomUUID();
    const hold = await this.ledger.reserve(userId, valid.operation, id, {
      quantity: valid.quantity,
    });
    const now = new Date();
    const job = this.jobs.create({
      id,
      userId,
      batchId,
      operation: valid.operation,
      params: valid.params,
      status: 'queued',
      priority,
      cost: hold.amount,
      holdId: hold.id,
      attempts: 0,
      providerRequestId: null,
      provider: null,
      cancelRequestedAt: null,
      errorCode: null,
      errorMessage: null,
      createdAt: now,
      updatedAt: now,
      startedAt: null,
      finishedAt: null,
    });
    await this.jobs.insert(job);
    return job;
  }

  /** The job if `userId` owns it (or is an admin); anyone else is told it does not exist. */
  async getVisible(jobId: string, userId: string, isAdmin = false): Promise<AiJob> {
    if (!isUuid(jobId)) throw new JobNotFoundError();
    const job = await this.jobs.findOneBy({ id: jobId });
    if (!job || (!isAdmin && job.userId !== userId)) throw new JobNotFoundError();
    return job;
  }

  async list(userId: string, limit: number, status?: JobStatus, cursor?: string): Promise<JobPage> {
    const query = this.jobs.createQueryBuilder('j').where('j.userId = :userId', { userId });
    if (status) query.andWhere('j.status = :status', { status });
    const after = cursor
      ? await this.getVisible(cursor, userId).catch(() => {
          throw new ValidationError([
            { field: 'cursor', message: 'cursor must be the nextCursor of a previous page' },
          ]);
        })
      : null;
    return newestFirstPage(query, limit, after);
  }

  /**
   * A cancel is a database fact: under the job's row lock it records `cancel_requested_at`,
   * refunds the hold and marks the job `canceled`, so the answer is the truth at once. A
   * running job's worker sees it on the row (it polls while the provider runs, and its settle
   * transaction refuses to charge a canceled job); pub/sub only lets it stop sooner.
   * Already settled: JobNotCancelableError (409).
   */
  async cancel(jobId: string, userId: string, isAdmin = false): Promise<AiJob> {
    const job = await this.scope.forCaller(userId, isAdmin, async () => {
      await this.getVisible(jobId, userId, isAdmin);
      const locked = await this.jobs
        .createQueryBuilder('j')
        .setLock('pessimistic_write')
        .where('j.id = :jobId', { jobId })
        .getOneOrFail();
      if (TERMINAL_STATUSES.includes(locked.status)) throw new JobNotCancelableError(locked.status);
      const wasRunning = locked.status === 'running';
      locked.cancelRequestedAt ??= new Date();
      await this.transitions.requestCancel(jobId, locked.cancelRequestedAt);
      return this.finishCanceled(
        locked,
        wasRunning ? 'Canceled while it ran' : 'Canceled before it started',
      );
    });
    // Not awaited: BullMQ's connection retries forever while Redis is down, and the answer must
    // not wait on Redis. Both are hints; the row already says everything.
    void this.tellOthersCanceled(jobId);
    return job;
  }

  private async tellOthersCanceled(jobId: string): Promise<void> {
    await Promise.all([
      this.signals.requestCancel(jobId),
      this.signals.statusChanged(jobId, 'canceled'),
      this.queue.removeIfWaiting(jobId),
    ]);
  }

  /** Inside the caller's transaction, with the job row locked: refund and mark canceled. */
  async finishCanceled(job: AiJob, message: string): Promise<AiJob> {
    await this.ledger.refund(job.holdId, message);
    const changes = await this.transitions.end(job.id, 'canceled', { code: 'CANCELED', message });
    return Object.assign(job, changes);
  }

  // --- batches ---------------------------------------------------------------------------

  /**
   * The batch, one job per image and each job's hold, in ONE transaction: all or nothing.
   * Short of credits for all of them: 402 with the whole batch's `needed`, nothing created.
   */
  async createBatch(
    userId: string,
    input: { name: string; operation: unknown; params: unknown; inputImageIds: string[] },
  ): Promise<{ batch: Batch; jobs: AiJob[] }> {
    const ids = input.inputImageIds;
    if (ids.length < 1 || ids.length > MAX_BATCH_ITEMS) {
      throw new ValidationError([
        { field: 'inputImageIds', message: `inputImageIds must hold 1-${MAX_BATCH_ITEMS} ids` },
      ]);
    }
    const specs = ids.map((inputImageId) => {
      const params = { ...(input.params as Record<string, unknown>), inputImageId };
      return validateJob(input.operation, params);
    });
    const first = specs[0] as ValidJob;
    if (!first.inputImageId) {
      throw new ValidationError([
        { field: 'operation', message: 'batches are for operations that take an input image' },
      ]);
    }

    const result = await this.scope.run(userId, async () => {
      await this.assertOwnImages(userId, ids, (index) => `inputImageIds.${index}`);
      const { amount } = await this.ledger.quote(first.operation, first.quantity);
      const needed = amount * specs.length;
      // Locked: no other spend can slip in between this check and the holds below.
      const balance = await this.ledger.balance(userId, { lock: true });
      if (balance.available < needed) throw new InsufficientCreditsError(needed, balance.available);
      const batch = this.txHost.tx.getRepository(Batch).create({
        id: randomUUID(),
        userId,
        name: input.name,
        operation: first.operation,
        params: Object.fromEntries(
          Object.entries(first.params).filter(([key]) => key !== 'inputImageId'),
        ),
        total: specs.length,
        createdAt: new Date(),
      });
      await this.txHost.tx.getRepository(Batch).insert(batch);
      const jobs: AiJob[] = [];
      // Batches run at low priority so that single jobs stay snappy.
      for (const spec of specs) jobs.push(await this.createJob(userId, spec, 'low', batch.id));
      return { batch, jobs };
    });
    await this.queue.enqueue(result.jobs);
    return result;
  }

  async getBatch(
    batchId: string,
    userId: string,
    isAdmin = false,
  ): Promise<{ batch: Batch; jobs: AiJob[]; progress: BatchProgress }> {
    if (!isUuid(batchId)) throw new BatchNotFoundError();
    const batch = await this.txHost.tx.getRepository(Batch).findOneBy({ id: batchId });
    if (!batch || (!isAdmin && batch.userId !== userId)) throw new BatchNotFoundError();
    const jobs = await this.jobs.find({
      where: { batchId },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
    const progress: BatchProgress = {
      total: jobs.length,
      queued: 0,
      running: 0,
      succeeded: 0,
      failed: 0,
      canceled: 0,
    };
    for (const job of jobs) progress[job.status] += 1;
    return { batch, jobs, progress };
  }

  async listBatches(
    userId: string,
    limit: number,
    cursor?: string,
  ): Promise<{ data: Batch[]; nextCursor: string | null }> {
    const repo = this.txHost.tx.getRepository(Batch);
    const after = cursor && isUuid(cursor) ? await repo.findOneBy({ id: cursor, userId }) : null;
    if (cursor && !after)
      throw new ValidationError([
        { field: 'cursor', message: 'cursor must be the nextCursor of a previous page' },
      ]);
    return newestFirstPage(
      repo.createQueryBuilder('b').where('b.userId = :userId', { userId }),
      limit,
      after,
    );
  }

  /** Cancels and refunds every item not yet settled (running ones too: see cancel). */
  async cancelBatch(batchId: string, userId: string, isAdmin = false): Promise<void> {
    const { jobs } = await this.scope.forCaller(userId, isAdmin, () =>
      this.getBatch(batchId, userId, isAdmin),
    );
    for (const job of jobs) {
      if (TERMINAL_STATUSES.includes(job.status)) continue;
      await this.cancel(job.id, userId, isAdmin).catch((error: unknown) => {
        if (!(error instanceof JobNotCancelableError)) throw error;
      });
    }
  }
}
