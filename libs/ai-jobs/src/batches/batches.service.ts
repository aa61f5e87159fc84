import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { randomUUID } from 'node:crypto';
import { InsufficientCreditsError, LedgerService } from '@jewelshot/credit-ledger';
import {
  CommitDeadline,
  Events,
  isUuid,
  newestFirstPage,
  RowScope,
  traced,
  whatCommitted,
  type TransactionNote,
  ValidationError,
} from '@jewelshot/platform';
import {
  BatchNotFoundError,
  IdempotencyKeyReusedError,
  JobNotCancelableError,
} from '../ai-jobs.errors';
import { IdempotencyService, type IdempotencyClaim } from '../idempotency/idempotency.service';
import { BatchSubmitted } from '../events/batch-submitted';
import { AiJob, TERMINAL_STATUSES } from '../jobs/ai-job.entity';
import { validateJob, type ValidJob } from '../jobs/job-params';
import { JobQueue } from '../jobs/job-queue';
import { JobsService } from '../jobs/jobs.service';
import { promptHash } from '../jobs/prompt-hash';
import { Batch } from './batch.entity';

export interface BatchProgress {
  total: number;
  queued: number;
  running: number;
  succeeded: number;
  failed: number;
  canceled: number;
}

function emptyProgress(): BatchProgress {
  return { total: 0, queued: 0, running: 0, succeeded: 0, failed: 0, canceled: 0 };
}

/** A batch's jobs in the order its views list them, with their counts by status. */
function asListed(jobs: AiJob[]): { jobs: AiJob[]; progress: BatchProgress } {
  // Oldest first, then by id (as PostgreSQL orders uuids: their lower-case text compares alike).
  const ordered = [...jobs].sort(
    (a, b) =>
      a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  const progress = emptyProgress();
  for (const job of ordered) progress[job.status] += 1;
  progress.total = ordered.length;
  return { jobs: ordered, progress };
}

/**
 * What submit() did: the batch it created, as created (answered from these rows, not read
 * again: a read after the COMMIT that lost the database would tell the client to retry a batch
 * that was made and paid for), or the id of the batch an idempotency key named before.
 */
export type SubmittedBatch =
  | { replayed: false; batch: Batch; jobs: AiJob[]; progress: BatchProgress }
  | { replayed: true; batchId: string };

export const MAX_BATCH_ITEMS = 100;

/** Many images through one operation: a batch and its jobs, created all or nothing. */
/** What a batch is asked for. */
export interface NewBatch {
  name: string;
  operation: unknown;
  params: unknown;
  inputImageIds: string[];
}

@Injectable()
export class BatchesService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly ledger: LedgerService,
    private readonly jobs: JobsService,
    private readonly queue: JobQueue,
    private readonly scope: RowScope,
    private readonly idempotency: IdempotencyService,
    private readonly events: Events,
  ) {}

  private get batches() {
    return this.txHost.tx.getRepository(Batch);
  }

  /**
   * create() behind an optional Idempotency-Key: the same key and input give the first batch's
   * id back (`replayed`, nothing created or held again); another input 422; while the first is
   * in flight, 409. A creation that fails frees its key.
   */
  async submit(
    userId: string,
    input: NewBatch,
    options: { idempotencyKey?: string; deadline?: CommitDeadline } = {},
  ): Promise<SubmittedBatch> {
    // Past its deadline, as a job's: nothing started, nothing committed.
    const deadline = options.deadline ?? new CommitDeadline();
    deadline.assertInTime();
    const submitted = await this.claimAndCreate(userId, input, options.idempotencyKey, deadline);
    if (!submitted.replayed) await this.queue.enqueue(submitted.jobs);
    return submitted;
  }

  private async claimAndCreate(
    userId: string,
    input: NewBatch,
    key: string | undefined,
    deadline: CommitDeadline,
  ): Promise<SubmittedBatch> {
    const created = async (claim?: IdempotencyClaim): Promise<SubmittedBatch> => {
      const { batch, jobs } = await this.create(userId, input, deadline, claim);
      return { replayed: false, batch, ...asListed(jobs) };
    };
    if (key === undefined) return created();
    const start = await this.idempotency.begin(userId, key, { route: 'POST /v1/batches', input });
    if (start.kind === 'answered') return { replayed: true, batchId: start.resourceId };
    // A job's key would have hashed differently (422 above).
    if (start.kind === 'replay') throw new IdempotencyKeyReusedError();
    try {
      return await created(start.claim);
    } catch (error) {
      await this.idempotency.abandon(userId, start.claim);
      throw error;
    }
  }

  /**
   * The batch, one job per image and each job's hold, in ONE transaction: all or nothing.
   * Short of credits for all of them: 402 with the whole batch's `needed`, nothing created.
   * With an idempotency key, the key names the batch in that same transaction. Not enqueued:
   * submit() does, once it is answered for.
   */
  private async create(
    userId: string,
    input: NewBatch,
    deadline: CommitDeadline,
    claim?: IdempotencyClaim,
  ): Promise<{ batch: Batch; jobs: AiJob[] }> {
    const ids = input.inputImageIds;
    if (ids.length < 1 || ids.length > MAX_BATCH_ITEMS) {
      throw new ValidationError([
        {
          field: 'inputImageIds',
          message: `inputImageIds must hold 1-${MAX_BATCH_ITEMS} ids`,
          ...(ids.length < 1
            ? { constraint: 'arrayMinSize', min: 1 }
            : { constraint: 'arrayMaxSize', max: MAX_BATCH_ITEMS }),
        },
      ]);
    }
    // More items than a user may have in progress at all: never accepted, so no retry (429) of
    // it could pass either.
    const activeLimit = this.jobs.activeJobLimit;
    if (ids.length > activeLimit) {
      throw new ValidationError([
        {
          field: 'inputImageIds',
          message: `inputImageIds must hold at most ${activeLimit} ids (MAX_ACTIVE_JOBS_PER_USER)`,
          constraint: 'arrayMaxSize',
          max: activeLimit,
        },
      ]);
    }
    // Each item's image comes from inputImageIds: one in the params would be overwritten in
    // every item, so it is refused rather than dropped.
    if (Object.hasOwn(input.params as object, 'inputImageId')) {
      throw new ValidationError([
        {
          field: 'params.inputImageId',
          message: "inputImageId is not a batch param: the batch's inputImageIds name its images",
        },
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

    // One span for the transaction (its queries are child spans), like a single job's; the
    // enqueue adds one span per item, each carrying this trace to the worker. A transaction
    // that lost the database without saying whether it committed is settled by asking the
    // server about it (whatCommitted).
    const batchId = randomUUID();
    const note: TransactionNote = { xid: null };
    const result = await traced(
      'ai-batch.create',
      () =>
        this.record(userId, input, specs, batchId, note, deadline, claim).catch((error: unknown) =>
          whatCommitted(error, {
            note,
            ask: (sql, params) => this.txHost.tx.query(sql, params),
            read: () => this.recorded(userId, batchId),
          }),
        ),
      {
        attributes: {
          'jewelshot.operation': first.operation,
          'jewelshot.batch.items': specs.length,
        },
      },
    );
    return result;
  }

  /**
   * In one transaction (its id noted in `note`): the batch `batchId`, its jobs and their holds,
   * its event, its key's answer.
   */
  private record(
    userId: string,
    input: NewBatch,
    specs: ValidJob[],
    batchId: string,
    note: TransactionNote,
    deadline: CommitDeadline,
    claim: IdempotencyClaim | undefined,
  ): Promise<{ batch: Batch; jobs: AiJob[] }> {
    const first = specs[0] as ValidJob;
    const ids = input.inputImageIds;
    return this.scope.run(userId, async () => {
      // Its id, before it writes: should its COMMIT's answer be lost, the server is asked.
      const [{ xid }] = (await this.txHost.tx.query(
        'SELECT pg_current_xact_id()::text AS xid',
      )) as [{ xid: string }];
      note.xid = xid;
      await this.jobs.assertOwnImages(userId, ids, (index) => `inputImageIds.${index}`);
      // The price held until this commits: a change waits, so every item is at this price.
      const { amount } = await this.ledger.quote(first.operation, first.quantity, {
        holdPrice: true,
      });
      const needed = amount * specs.length;
      // Locked: no other spend can slip in between this check and the holds below.
      const balance = await this.ledger.balance(userId, { lock: true });
      if (balance.available < needed) throw new InsufficientCreditsError(needed, balance.available);
      const batch = this.batches.create({
        id: batchId,
        userId,
        name: input.name,
        operation: first.operation,
        params: Object.fromEntries(
          Object.entries(first.params).filter(([key]) => key !== 'inputImageId'),
        ),
        total: specs.length,
        createdAt: new Date(),
      });
      await this.batches.insert(batch);
      const jobs: AiJob[] = [];
      // Batches run at low priority so that single jobs stay snappy.
      for (const spec of specs) jobs.push(await this.jobs.createJob(userId, spec, 'low', batch.id));
      await this.jobs.assertActiveWithinLimit(userId);
      if (claim !== undefined) await this.idempotency.attachAnswer(userId, claim, 201, batch.id);
      await this.events.publish(
        new BatchSubmitted({
          batchId: batch.id,
          userId,
          operation: first.operation,
          items: specs.length,
          promptHash: promptHash(first.params.prompt),
          at: batch.createdAt.toISOString(),
        }),
      );
      deadline.beforeCommit();
      return { batch, jobs };
    });
  }

  /** The batch `batchId` and its jobs as committed, or null. */
  private recorded(
    userId: string,
    batchId: string,
  ): Promise<{ batch: Batch; jobs: AiJob[] } | null> {
    return this.scope.run(userId, async () => {
      const batch = await this.batches.findOneBy({ id: batchId });
      if (!batch) return null;
      return { batch, jobs: await this.txHost.tx.getRepository(AiJob).findBy({ batchId }) };
    });
  }

  async get(
    batchId: string,
    userId: string,
    isAdmin = false,
  ): Promise<{ batch: Batch; jobs: AiJob[]; progress: BatchProgress }> {
    if (!isUuid(batchId)) throw new BatchNotFoundError();
    const batch = await this.batches.findOneBy({ id: batchId });
    if (!batch || (!isAdmin && batch.userId !== userId)) throw new BatchNotFoundError();
    const jobs = await this.txHost.tx.getRepository(AiJob).find({ where: { batchId } });
    return { batch, ...asListed(jobs) };
  }

  /** A page of the user's batches, newest first, each with its items' counts (one query). */
  async list(
    userId: string,
    limit: number,
    cursor?: string,
  ): Promise<{
    data: Array<{ batch: Batch; progress: BatchProgress }>;
    nextCursor: string | null;
  }> {
    const after =
      cursor && isUuid(cursor) ? await this.batches.findOneBy({ id: cursor, userId }) : null;
    if (cursor && !after)
      throw new ValidationError([
        { field: 'cursor', message: 'cursor must be the nextCursor of a previous page' },
      ]);
    const page = await newestFirstPage(
      this.batches.createQueryBuilder('b').where('b.userId = :userId', { userId }),
      limit,
      after,
    );
    const progress = new Map(page.data.map((batch) => [batch.id, emptyProgress()]));
    if (page.data.length > 0) {
      const counts = (await this.txHost.tx.query(
        `SELECT batch_id, status, count(*)::int AS n FROM ai_jobs
          WHERE batch_id = ANY($1::uuid[]) GROUP BY batch_id, status`,
        [[...progress.keys()]],
      )) as Array<{ batch_id: string; status: AiJob['status']; n: number }>;
      for (const { batch_id, status, n } of counts) {
        const of = progress.get(batch_id);
        if (!of) continue;
        of[status] += n;
        of.total += n;
      }
    }
    return {
      data: page.data.map((batch) => ({
        batch,
        progress: progress.get(batch.id) ?? emptyProgress(),
      })),
      nextCursor: page.nextCursor,
    };
  }

  /** Cancels and refunds every item not yet settled (running ones too: see JobsService.cancel). */
  async cancel(batchId: string, userId: string, isAdmin = false): Promise<void> {
    const { jobs } = await this.scope.forCaller(userId, isAdmin, () =>
      this.get(batchId, userId, isAdmin),
    );
    for (const job of jobs) {
      if (TERMINAL_STATUSES.includes(job.status)) continue;
      await this.jobs.cancel(job.id, userId, isAdmin).catch((error: unknown) => {
        if (!(error instanceof JobNotCancelableError)) throw error;
      });
    }
  }
}
