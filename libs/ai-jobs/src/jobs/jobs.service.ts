import { Inject, Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { randomUUID } from 'node:crypto';
import { In } from 'typeorm';
import { LedgerService } from '@jewelshot/credit-ledger';
import { User } from '@jewelshot/identity';
import {
  CommitDeadline,
  Events,
  isUuid,
  newestFirstPage,
  RowScope,
  traced,
  ValidationError,
  whatCommitted,
  type TransactionNote,
} from '@jewelshot/platform';
import { AI_JOBS_CONFIG, type AiJobsConfig } from '../ai-jobs.config';
import {
  ActiveJobLimitError,
  IdempotencyKeyReusedError,
  JobNotCancelableError,
  JobNotFoundError,
  JobAlreadyRetriedError,
  JobNotRetryableError,
  JobOwnerBannedError,
  PriceChangedError,
} from '../ai-jobs.errors';
import { JobSubmitted } from '../events/job-submitted';
import {
  AiJob,
  TERMINAL_STATUSES,
  type JobStatus,
  type Operation,
  type Priority,
} from './ai-job.entity';
import { StoredFile } from '../files/stored-file.entity';
import { validateJob, type ValidJob } from './job-params';
import { promptHash } from './prompt-hash';
import { JobQueue } from './job-queue';
import { JobSignals } from './job-signals';
import { JobTransitions } from './job-transitions';
import { JobNotifications } from './job-notifications';
import { IdempotencyService, type IdempotencyClaim } from '../idempotency/idempotency.service';

export interface SubmitInput {
  operation: unknown;
  params: unknown;
}

export interface SubmitOptions {
  /** The client's Idempotency-Key: the same key and input give the first job back. */
  idempotencyKey?: string;
  /** The request's deadline (the API's REQUEST_DEADLINE_MS): past it, nothing is committed. */
  deadline?: CommitDeadline;
}

export interface Submitted {
  job: AiJob;
  /** true when an earlier submission with the same key made `job` (nothing new was held). */
  replayed: boolean;
}

const SNAPSHOT_DATES = ['createdAt', 'updatedAt', 'startedAt', 'finishedAt', 'cancelRequestedAt'];

/** The job as recorded with its idempotency key, with its dates revived. */
function fromSnapshot(snapshot: Record<string, unknown>): AiJob {
  const job = Object.assign(new AiJob(), snapshot);
  for (const field of SNAPSHOT_DATES) {
    const value = snapshot[field];
    if (typeof value === 'string') Object.assign(job, { [field]: new Date(value) });
  }
  return job;
}

/** An admin's search over every user's jobs: all given fields must match. */
export interface JobSearch {
  status?: JobStatus;
  userId?: string;
  operation?: Operation;
  from?: Date;
  to?: Date;
}

export interface JobPage {
  data: AiJob[];
  nextCursor: string | null;
}

/** Creating, reading and canceling AI jobs: the only way to a provider is the queue. */
@Injectable()
export class JobsService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly ledger: LedgerService,
    private readonly queue: JobQueue,
    private readonly signals: JobSignals,
    private readonly scope: RowScope,
    private readonly transitions: JobTransitions,
    private readonly idempotency: IdempotencyService,
    private readonly events: Events,
    private readonly notifications: JobNotifications,
    @Inject(AI_JOBS_CONFIG) private readonly config: AiJobsConfig,
  ) {}

  private get jobs() {
    return this.txHost.tx.getRepository(AiJob);
  }

  /**
   * The user's priority tier (the one column a submit needs of the user's row), and the
   * transaction's id noted in `note` (it is given one here): one statement.
   */
  private async priorityOf(userId: string, note: TransactionNote): Promise<Priority> {
    const [row] = (await this.txHost.tx.query(
      `SELECT pg_current_xact_id()::text AS xid,
              (SELECT priority_tier FROM users WHERE id = $1) AS "priorityTier"`,
      [userId],
    )) as Array<{ xid: string; priorityTier: Priority | null }>;
    note.xid = row?.xid ?? null;
    return row?.priorityTier ?? 'normal';
  }

  /** MAX_ACTIVE_JOBS_PER_USER: a batch of more items than this could never be accepted. */
  get activeJobLimit(): number {
    return this.config.MAX_ACTIVE_JOBS_PER_USER;
  }

  /**
   * Inside the transaction that creates jobs, after the account's lock (which every hold
   * takes, so concurrent submits of one user count one after another, each seeing what the
   * ones before committed): refuses (ActiveJobLimitError, 429) when the user now has more than
   * MAX_ACTIVE_JOBS_PER_USER jobs queued or running, this transaction's own included; the
   * caller's transaction then rolls back and nothing is created or held.
   */
  async assertActiveWithinLimit(userId: string): Promise<void> {
    const limit = this.config.MAX_ACTIVE_JOBS_PER_USER;
    const [row] = (await this.txHost.tx.query(
      `SELECT count(*)::int AS active FROM (
         SELECT 1 FROM ai_jobs
          WHERE user_id = $1 AND status IN ('queued', 'running')
          LIMIT $2
       ) AS counted`,
      [userId, limit + 1],
    )) as Array<{ active: number }>;
    if ((row?.active ?? 0) > limit) throw new ActiveJobLimitError(limit);
  }

  /** Whether the user may still have jobs run (not banned); read in the caller's transaction. */
  async ownerActive(userId: string): Promise<boolean> {
    const [user] = (await this.txHost.tx.query('SELECT status FROM users WHERE id = $1', [
      userId,
    ])) as Array<Pick<User, 'status'>>;
    return user?.status === 'active';
  }

  /**
   * Inside the transaction that creates the jobs: refuses (400) any id that is not an image of
   * `userId`'s; `field` names each in the error. The images' rows stay share-locked (FOR KEY
   * SHARE, as a foreign key would lock them) until that transaction ends, so a concurrent
   * DELETE of one either waits and then sees the new job (FILE_IN_USE), or has committed and the
   * image is not found here.
   */
  async assertOwnImages(
    userId: string,
    ids: string[],
    field: (index: number) => string,
    message = 'no such image of yours',
  ): Promise<void> {
    if (ids.length === 0) return;
    const found = await this.txHost.tx.getRepository(StoredFile).find({
      select: { id: true },
      where: { id: In([...new Set(ids)]), userId, kind: In(['upload', 'output']) },
      lock: { mode: 'for_key_share' },
    });
    const mine = new Set(found.map((file) => file.id));
    const missing = ids.flatMap((id, index) =>
      mine.has(id) ? [] : [{ field: field(index), message }],
    );
    if (missing.length > 0) throw new ValidationError(missing);
  }

  /**
   * Validates, then in ONE transaction holds the price and inserts the job `queued`; enqueues
   * after commit. Not enough credits: 402 and nothing is created. Its own row scope (not the
   * caller's): the job must be committed before it is enqueued. A transaction that lost the
   * database without saying whether it committed is settled by asking the server about it
   * (whatCommitted): the job when it committed (so the client is not told to retry a charge
   * that was made), 503 otherwise.
   * With an idempotency key: the same key and input give the first job back (`replayed`, as it
   * was first answered, with no second hold); another input 422; while the first is in flight,
   * 409. A submission that fails frees its key. Past its `deadline` (the client has been
   * answered 503) it starts nothing, and its transaction rolls back instead of committing.
   */
  async submit(
    userId: string,
    input: SubmitInput,
    options: SubmitOptions = {},
  ): Promise<Submitted> {
    const deadline = options.deadline ?? new CommitDeadline();
    deadline.assertInTime();
    const submitted = await this.claimAndCreate(userId, input, options.idempotencyKey, deadline);
    if (!submitted.replayed) await this.queue.enqueue([submitted.job]);
    return submitted;
  }

  private async claimAndCreate(
    userId: string,
    input: SubmitInput,
    key: string | undefined,
    deadline: CommitDeadline,
  ): Promise<Submitted> {
    if (key === undefined)
      return { job: await this.create(userId, input, deadline), replayed: false };
    const start = await this.idempotency.begin(userId, key, {
      operation: input.operation,
      params: input.params,
    });
    // Another route's answer under this key would have hashed differently (422 above).
    if (start.kind === 'answered') throw new IdempotencyKeyReusedError();
    if (start.kind === 'replay') {
      const job = start.snapshot
        ? fromSnapshot(start.snapshot)
        : await this.scope.run(userId, () => this.getVisible(start.jobId, userId));
      return { job, replayed: true };
    }
    try {
      return { job: await this.create(userId, input, deadline, start.claim), replayed: false };
    } catch (error) {
      await this.idempotency.abandon(userId, start.claim);
      throw error;
    }
  }

  /** The job recorded (not yet enqueued: submit() does, once it is answered for). */
  private async create(
    userId: string,
    input: SubmitInput,
    deadline: CommitDeadline,
    claim?: IdempotencyClaim,
  ): Promise<AiJob> {
    const valid = validateJob(input.operation, input.params);
    const id = randomUUID();
    const note: TransactionNote = { xid: null };
    // One span for the transaction (reserve + insert; its queries are child spans), one for the
    // enqueue, whose job carries this trace to the worker.
    return traced(
      'ai-job.create',
      () =>
        this.record(userId, valid, id, note, deadline, claim).catch((error: unknown) =>
          whatCommitted(error, {
            note,
            ask: (sql, params) => this.txHost.tx.query(sql, params),
            read: () => this.scope.run(userId, () => this.jobs.findOneBy({ id })),
          }),
        ),
      { attributes: { 'jewelshot.operation': valid.operation } },
    );
  }

  /**
   * The job `id`, its hold, its event and its key's answer, in one transaction, whose id is
   * noted in `note` before it writes.
   */
  private record(
    userId: string,
    valid: ValidJob,
    id: string,
    note: TransactionNote,
    deadline: CommitDeadline,
    claim: IdempotencyClaim | undefined,
  ): Promise<AiJob> {
    return this.scope.run(userId, async () => {
      if (valid.inputImageId)
        await this.assertOwnImages(userId, [valid.inputImageId], () => 'params.inputImageId');
      const priority = await this.priorityOf(userId, note);
      const created = await this.createJob(userId, valid, priority, null, null, id);
      await this.assertActiveWithinLimit(userId);
      await this.events.publish(
        new JobSubmitted({
          jobId: created.id,
          userId,
          operation: valid.operation,
          promptHash: promptHash(valid.params.prompt),
          at: created.createdAt.toISOString(),
        }),
      );
      if (claim !== undefined) await this.idempotency.attachJob(userId, claim, created.id, created);
      deadline.beforeCommit();
      return created;
    });
  }

  /** Inside the caller's transaction: holds the price and inserts the job `queued`. */
  async createJob(
    userId: string,
    valid: ValidJob,
    priority: Priority,
    batchId: string | null,
    retry: { retryOf: string; fundedBy?: string } | null = null,
    id: string = randomUUID(),
  ): Promise<AiJob> {
    const hold = await this.ledger.reserve(userId, valid.operation, id, {
      quantity: valid.quantity,
      ...(retry?.fundedBy ? { fundedBy: retry.fundedBy } : {}),
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
      retryOf: retry?.retryOf ?? null,
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
      return this.cancelLocked(jobId);
    });
    this.announceCanceled([jobId]);
    return job;
  }

  /**
   * Inside the caller's transaction: locks the job, refunds its hold and marks it canceled.
   * The caller calls `announceCanceled` once its transaction has committed.
   */
  async cancelLocked(jobId: string): Promise<AiJob> {
    const locked = await this.jobs
      .createQueryBuilder('j')
      .setLock('pessimistic_write')
      .where('j.id = :jobId', { jobId })
      .getOne();
    if (!locked) throw new JobNotFoundError();
    if (TERMINAL_STATUSES.includes(locked.status)) throw new JobNotCancelableError(locked.status);
    const wasRunning = locked.status === 'running';
    locked.cancelRequestedAt ??= new Date();
    await this.transitions.requestCancel(jobId, locked.cancelRequestedAt);
    return this.finishCanceled(
      locked,
      wasRunning ? 'Canceled while it ran' : 'Canceled before it started',
    );
  }

  /** Inside the caller's transaction: cancels and refunds every queued job of the user. */
  async cancelQueuedOf(userId: string, message: string): Promise<AiJob[]> {
    const queued = await this.jobs
      .createQueryBuilder('j')
      .setLock('pessimistic_write')
      .where(`j.userId = :userId AND j.status = 'queued'`, { userId })
      .orderBy('j.createdAt', 'ASC')
      .getMany();
    const canceled: AiJob[] = [];
    for (const job of queued) {
      job.cancelRequestedAt ??= new Date();
      await this.transitions.requestCancel(job.id, job.cancelRequestedAt);
      canceled.push(await this.finishCanceled(job, message));
    }
    return canceled;
  }

  /**
   * After the cancel committed: tells a running worker, the event streams and the queue. Not
   * awaited: BullMQ's connection retries forever while Redis is down, and the answer must not
   * wait on Redis. All of it is a hint; the row already says everything.
   */
  announceCanceled(jobIds: string[]): void {
    for (const jobId of jobIds) void this.tellOthersCanceled(jobId);
  }

  /** Every user's jobs matching `search`, newest first (admins; the caller scopes to all users). */
  async search(search: JobSearch, limit: number, cursor?: string): Promise<JobPage> {
    const query = this.jobs.createQueryBuilder('j');
    if (search.status) query.andWhere('j.status = :status', { status: search.status });
    if (search.userId) query.andWhere('j.userId = :userId', { userId: search.userId });
    if (search.operation)
      query.andWhere('j.operation = :operation', { operation: search.operation });
    if (search.from) query.andWhere('j.createdAt >= :from', { from: search.from });
    if (search.to) query.andWhere('j.createdAt < :to', { to: search.to });
    const after = cursor
      ? await this.jobs.findOneBy({ id: isUuid(cursor) ? cursor : randomUUID() })
      : null;
    if (cursor && !after)
      throw new ValidationError([
        { field: 'cursor', message: 'cursor must be the nextCursor of a previous page' },
      ]);
    return newestFirstPage(query, limit, after);
  }

  /**
   * Inside the caller's transaction: a failed job again, as a new job of the same user,
   * operation and params, at today's price, linked to it (`retryOf`). A failed job is run again
   * once: the failed row is locked first, so concurrent retries wait and then see the first one's
   * job (a conflict), and the unique link stands behind it. `free`: the user is first granted
   * exactly that price (an entry the ledger history shows) and the new hold is funded by the
   * grant, so it costs them nothing net; if the new job does not succeed, its released hold
   * takes the grant back. The caller enqueues the new job once its transaction has committed.
   */
  async retry(jobId: string, payer: 'user' | 'free'): Promise<{ job: AiJob; granted: number }> {
    if (!isUuid(jobId)) throw new JobNotFoundError();
    const failed = await this.jobs.findOne({
      where: { id: jobId },
      lock: { mode: 'pessimistic_write' },
    });
    if (!failed) throw new JobNotFoundError();
    if (failed.status !== 'failed') throw new JobNotRetryableError(failed.status);
    const earlier = await this.jobs.findOneBy({ retryOf: jobId });
    if (earlier) throw new JobAlreadyRetriedError(earlier.id);
    // The owner's row, share-locked: a ban (which updates it, then cancels the queued jobs)
    // either waits for this retry and then cancels its job, or has committed and is seen here.
    const [owner] = (await this.txHost.tx.query(
      'SELECT status, priority_tier AS "priorityTier" FROM users WHERE id = $1 FOR SHARE',
      [failed.userId],
    )) as Array<Pick<User, 'status' | 'priorityTier'>>;
    if (owner?.status !== 'active') throw new JobOwnerBannedError();
    const valid = validateJob(failed.operation, failed.params);
    // Its input image, if its owner has not deleted it since, held until the new job commits.
    if (valid.inputImageId)
      await this.assertOwnImages(
        failed.userId,
        [valid.inputImageId],
        () => 'params.inputImageId',
        "the job's input image was deleted by its owner: it cannot run again",
      );
    let granted = 0;
    let fundedBy: string | undefined;
    if (payer === 'free') {
      granted = (await this.ledger.quote(valid.operation, valid.quantity)).amount;
      fundedBy = `free-retry:${jobId}`;
      await this.ledger.grant(
        failed.userId,
        granted,
        fundedBy,
        `Free retry of a failed ${failed.operation} job`,
      );
    }
    const job = await this.createJob(failed.userId, valid, owner.priorityTier, null, {
      retryOf: jobId,
      fundedBy,
    });
    // A price set between the quote and the hold: the grant would not match what is held.
    if (fundedBy && job.cost !== granted) throw new PriceChangedError();
    await this.assertActiveWithinLimit(failed.userId);
    return { job, granted };
  }

  /** The jobs `jobIds` were retried as, by failed job id (those never retried are absent). */
  async retriesOf(jobIds: string[]): Promise<Map<string, string>> {
    if (jobIds.length === 0) return new Map();
    const retries = await this.jobs.find({
      select: { id: true, retryOf: true },
      where: { retryOf: In(jobIds) },
    });
    return new Map(retries.map((retry) => [retry.retryOf as string, retry.id]));
  }

  private async tellOthersCanceled(jobId: string): Promise<void> {
    await Promise.all([
      this.signals.requestCancel(jobId),
      this.signals.statusChanged(jobId, 'canceled'),
      this.queue.removeIfWaiting(jobId),
    ]);
  }

  /**
   * Inside the caller's transaction, with the job row locked: refund, mark canceled, and
   * announce the end like any other (`JobEnded`, and `BatchFinished` when it was its batch's
   * last open job), so webhooks and the batch's mail hear of a cancel too.
   */
  async finishCanceled(job: AiJob, message: string): Promise<AiJob> {
    await this.ledger.refund(job.holdId, message);
    const changes = await this.transitions.end(job.id, 'canceled', { code: 'CANCELED', message });
    const ended = Object.assign(job, changes);
    await this.notifications.jobEnded(ended, 'canceled');
    return ended;
  }
}
