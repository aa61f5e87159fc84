import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { In, type QueryDeepPartialEntity } from 'typeorm';
import { hydrate } from '@jewelshot/platform';
import type { JobFailureCode } from '../ai-jobs.errors';
import { AiJob, type JobStatus } from './ai-job.entity';

/** Every way a job's status may change; nothing else writes `ai_jobs.status`. */
export type JobTransition =
  'claim' | 'succeed' | 'requeue' | 'fail' | 'cancel' | 'request-cancel' | 'reconcile';

/**
 * The state machine as data: from which statuses each transition may start, and where it ends
 * (`request-cancel` only marks the row; the status stays). The unit spec iterates over it.
 */
export const JOB_TRANSITIONS: Readonly<
  Record<JobTransition, { from: readonly JobStatus[]; to: JobStatus | 'unchanged' }>
> = {
  // `running` too: a worker that died mid-job loses its BullMQ lock and another one takes it.
  claim: { from: ['queued', 'running'], to: 'running' },
  succeed: { from: ['running'], to: 'succeeded' },
  // A retryable failure with attempts left: BullMQ runs it again after its backoff.
  requeue: { from: ['running'], to: 'queued' },
  fail: { from: ['queued', 'running'], to: 'failed' },
  cancel: { from: ['queued', 'running'], to: 'canceled' },
  'request-cancel': { from: ['queued', 'running'], to: 'unchanged' },
  // A running job whose BullMQ job is gone goes back to the queue (it resumes its provider request).
  reconcile: { from: ['running'], to: 'queued' },
};

/** Whether `transition` may start from `status`. */
export function allows(transition: JobTransition, status: JobStatus): boolean {
  return JOB_TRANSITIONS[transition].from.includes(status);
}

/** The status after `transition` from `status`, or null when the transition is not allowed. */
export function statusAfter(transition: JobTransition, status: JobStatus): JobStatus | null {
  if (!allows(transition, status)) return null;
  const { to } = JOB_TRANSITIONS[transition];
  return to === 'unchanged' ? status : to;
}

/**
 * Whether a failure of this attempt is final: BullMQ will not run the job again, or the row
 * already counts every attempt allowed. Attempts are counted in the row, so a job re-enqueued
 * by the reconciler gets no extra tries.
 */
export function isLastAttempt(attempt: {
  /** attempts recorded on the row, this one included */
  rowAttempts: number;
  /** JOB_ATTEMPTS */
  maxAttempts: number;
  /** BullMQ's attempts made before this one, and the attempts its job allows */
  queueAttemptsMade: number;
  queueAttempts: number;
}): boolean {
  const queueHasRetries = attempt.queueAttemptsMade + 1 < attempt.queueAttempts;
  return !queueHasRetries || attempt.rowAttempts >= attempt.maxAttempts;
}

export interface JobFailure {
  code: JobFailureCode;
  message: string;
}

/**
 * A job's times are the database's clock (`now()`: its transaction's start), never a process's:
 * the reconciler compares `updated_at` with `now()`, so a worker whose clock lags must not make
 * a job it just claimed look past its running deadline.
 */
const NOW = () => 'now()';

/**
 * The one writer of `ai_jobs.status`. Each transition is one guarded UPDATE
 * (`WHERE id = $1 AND status IN (allowed from-statuses)`) in the caller's transaction, and says
 * whether it applied; callers lock the row first where they must decide on what they read.
 */
@Injectable()
export class JobTransitions {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  /**
   * `transition` and `changes` as one guarded UPDATE: the job as it now is, or null when it was
   * not in a from-status. `changes` may set a column to the database's clock (`NOW`).
   */
  private async apply(
    transition: JobTransition,
    jobId: string,
    changes: QueryDeepPartialEntity<AiJob>,
  ): Promise<AiJob | null> {
    const { to, from } = JOB_TRANSITIONS[transition];
    const status = to === 'unchanged' ? {} : { status: to };
    const manager = this.txHost.tx;
    const result = await manager
      .createQueryBuilder()
      .update(AiJob)
      .set({ ...changes, ...status })
      .where({ id: jobId, status: In([...from]) })
      .returning('*')
      .execute();
    return hydrate(manager, AiJob, result.raw as Record<string, unknown>[])[0] ?? null;
  }

  /**
   * `transition` and `changes` as one guarded `UPDATE ... RETURNING *` that also requires no
   * cancel to have been asked for: the job as it now is, or null when the row was not in a
   * from-status or a cancel is pending (the caller then locks the row and decides). One
   * statement where a lock, a read and an update would be three.
   */
  private async applyReturning(
    transition: 'claim' | 'succeed',
    jobId: string,
    set: string,
    params: unknown[],
    alsoWhere = '',
  ): Promise<AiJob | null> {
    const { to, from } = JOB_TRANSITIONS[transition];
    const manager = this.txHost.tx;
    const [rows] = (await manager.query(
      `UPDATE ai_jobs SET ${set}, status = $2
        WHERE id = $1 AND status = ANY($3::varchar[]) AND cancel_requested_at IS NULL ${alsoWhere}
        RETURNING *`,
      [jobId, to, [...from], ...params],
    )) as [Record<string, unknown>[], number];
    return hydrate(manager, AiJob, rows)[0] ?? null;
  }

  /**
   * The worker takes the job for one attempt in one statement (see applyReturning); null when
   * it is not queued or running, a cancel is pending, or its owner is no longer active (a job
   * submitted in the moment a ban took, while the API still admitted its caller): then lock it
   * and decide.
   */
  claimById(jobId: string, provider: string): Promise<AiJob | null> {
    return this.applyReturning(
      'claim',
      jobId,
      `attempts = attempts + 1, started_at = COALESCE(started_at, now()), updated_at = now(), provider = $4`,
      [provider],
      `AND EXISTS (SELECT 1 FROM users u WHERE u.id = ai_jobs.user_id AND u.status = 'active')`,
    );
  }

  /**
   * Marks a running job succeeded, in the settle's transaction, and returns it (the row stays
   * locked until that transaction ends); null when it is no longer running or a cancel is
   * pending: then lock it and decide.
   */
  succeedRunning(jobId: string): Promise<AiJob | null> {
    return this.applyReturning(
      'succeed',
      jobId,
      `finished_at = now(), updated_at = now(), error_code = NULL, error_message = NULL`,
      [],
    );
  }

  /** The worker takes the (locked) job for one attempt; returns the job as it now is, or null. */
  claim(job: AiJob, provider: string): Promise<AiJob | null> {
    return this.apply('claim', job.id, {
      attempts: () => 'attempts + 1',
      startedAt: () => 'COALESCE(started_at, now())',
      updatedAt: NOW,
      provider,
    });
  }

  async requeue(jobId: string, failure: JobFailure): Promise<boolean> {
    const requeued = await this.apply('requeue', jobId, {
      errorCode: failure.code,
      errorMessage: failure.message,
      updatedAt: NOW,
    });
    return requeued !== null;
  }

  /**
   * Ends a job that will not succeed (its hold is the caller's to refund, in the same
   * transaction): the job as it now is, or null when it had ended already.
   */
  end(jobId: string, status: 'failed' | 'canceled', failure: JobFailure): Promise<AiJob | null> {
    return this.apply(status === 'failed' ? 'fail' : 'cancel', jobId, {
      // Never before it started, nor its row's time going back: a cancel whose transaction
      // began before the worker's claim committed (it then waited for the row) has an earlier
      // now() than that claim's.
      finishedAt: () => 'GREATEST(now(), started_at)',
      updatedAt: () => 'GREATEST(now(), updated_at, started_at)',
      errorCode: failure.code,
      errorMessage: failure.message.slice(0, 500),
    });
  }

  /** Records when a cancel was first asked for; the status is left to `end`. */
  async requestCancel(jobId: string, at: Date): Promise<boolean> {
    return (await this.apply('request-cancel', jobId, { cancelRequestedAt: at })) !== null;
  }

  async reconcile(jobId: string): Promise<boolean> {
    return (await this.apply('reconcile', jobId, { updatedAt: NOW })) !== null;
  }
}
