import { Inject, Injectable, Logger } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { LedgerService } from '@jewelshot/credit-ledger';
import { loggableError, secondsSince, traced } from '@jewelshot/platform';
import { AI_JOBS_CONFIG, type AiJobsConfig } from '../ai-jobs.config';
import { FileNotFoundError, ProviderError } from '../ai-jobs.errors';
import { AiJob, TERMINAL_STATUSES } from './ai-job.entity';
import { StoredFile } from '../files/stored-file.entity';
import { AI_PROVIDER, type AiProvider, type ProviderInput } from '../providers/ai-provider';
import { FilesService } from '../files/files.service';
import { JobSignals } from './job-signals';
import { JobsService } from './jobs.service';
import { isLastAttempt, type JobFailure, JobTransitions } from './job-transitions';
import { JobNotifications } from './job-notifications';
import { imagesPaidFor } from './job-params';
import {
  attemptDuration,
  attempts,
  jobDuration,
  providerDuration,
  providerErrors,
} from './job.metrics';

/** BullMQ's count of this job's attempts: made before this one, and allowed in all. */
export interface QueueAttempt {
  made: number;
  allowed: number;
}

export type RunOutcome = 'succeeded' | 'failed' | 'canceled' | 'retry' | 'skipped';

function ageSeconds(since: Date): number {
  return Math.max(0, (Date.now() - since.getTime()) / 1000);
}

export class RetryableJobError extends Error {
  constructor(readonly failure: ProviderError) {
    super(failure.message);
    this.name = 'RetryableJobError';
  }
}

/**
 * Runs one attempt of one job in the worker: claim it, call the provider (with timeout and
 * cancellation), store the outputs, then charge and finish in one transaction. On the final
 * failure, refund. Every step re-reads the row: the database is the truth.
 */
@Injectable()
export class JobRunner {
  private readonly logger = new Logger(JobRunner.name);
  private readonly running = new Map<string, AbortController>();

  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly ledger: LedgerService,
    private readonly files: FilesService,
    private readonly jobs: JobsService,
    private readonly signals: JobSignals,
    private readonly notifications: JobNotifications,
    private readonly transitions: JobTransitions,
    @Inject(AI_PROVIDER) private readonly provider: AiProvider,
    @Inject(AI_JOBS_CONFIG) private readonly config: AiJobsConfig,
  ) {
    this.signals.onCancel((jobId) =>
      this.running.get(jobId)?.abort(new ProviderError('CANCELED', 'The job was canceled', false)),
    );
  }

  private get repo() {
    return this.txHost.tx.getRepository(AiJob);
  }

  private lock(jobId: string): Promise<AiJob | null> {
    return this.repo
      .createQueryBuilder('j')
      .setLock('pessimistic_write')
      .where('j.id = :jobId', { jobId })
      .getOne();
  }

  /** @throws RetryableJobError when BullMQ should retry later */
  async run(jobId: string, queueAttempt: QueueAttempt): Promise<RunOutcome> {
    const started = performance.now();
    const attempt = { operation: 'unknown' };
    let outcome: RunOutcome | 'retry' | 'error' = 'error';
    try {
      outcome = await this.attempt(jobId, queueAttempt, attempt);
      return outcome;
    } catch (error) {
      if (error instanceof RetryableJobError) outcome = 'retry';
      throw error;
    } finally {
      const labels = { operation: attempt.operation, outcome };
      attempts.inc(labels);
      attemptDuration.observe(labels, secondsSince(started));
    }
  }

  private async attempt(
    jobId: string,
    queueAttempt: QueueAttempt,
    seen: { operation: string },
  ): Promise<RunOutcome> {
    // One statement in the usual case; a job that ended or has a cancel pending is locked and
    // looked at (a cancel asked for before it started ends it here, refunded).
    const claimed =
      (await this.transitions.claimById(jobId, this.provider.name)) ??
      (await this.txHost.withTransaction(async () => {
        const job = await this.lock(jobId);
        if (!job || TERMINAL_STATUSES.includes(job.status)) return null;
        if (job.cancelRequestedAt)
          return this.jobs.finishCanceled(job, 'Canceled before it started');
        // Submitted as its owner was banned (the ban canceled the jobs it saw): never run.
        if (!(await this.jobs.ownerActive(job.userId)))
          return this.jobs.finishCanceled(job, 'Canceled: the account was banned');
        return this.transitions.claim(job, this.provider.name);
      }));
    if (!claimed) return 'skipped';
    seen.operation = claimed.operation;
    await this.signals.statusChanged(jobId, claimed.status);
    if (claimed.status === 'canceled') return 'canceled';
    const lastAttempt = isLastAttempt({
      rowAttempts: claimed.attempts,
      maxAttempts: this.config.JOB_ATTEMPTS,
      queueAttemptsMade: queueAttempt.made,
      queueAttempts: queueAttempt.allowed,
    });

    const controller = new AbortController();
    this.running.set(jobId, controller);
    const stopWatching = this.watchRow(jobId, controller);
    let images: Buffer[];
    const providerStarted = performance.now();
    try {
      const input = await this.inputOf(claimed);
      images = (
        await traced(
          'ai-job.provider',
          () =>
            this.provider.run(input, controller.signal, {
              resumeRequestId: claimed.providerRequestId,
              onSubmitted: async (requestId) => {
                // The database's clock, as every job time (job-transitions.ts).
                await this.txHost.tx
                  .getRepository(AiJob)
                  .update(
                    { id: jobId },
                    { providerRequestId: requestId, updatedAt: () => 'now()' },
                  );
              },
            }),
          {
            kind: 'client',
            attributes: {
              'jewelshot.provider': this.provider.name,
              'jewelshot.operation': claimed.operation,
            },
          },
        )
      ).map((image) => image.data);
      images = deliverable(images, imagesPaidFor(claimed.operation, claimed.params));
      providerDuration.observe(
        { provider: this.provider.name, operation: claimed.operation, outcome: 'ok' },
        secondsSince(providerStarted),
      );
    } catch (error) {
      const failure =
        error instanceof ProviderError
          ? error
          : controller.signal.aborted && controller.signal.reason instanceof ProviderError
            ? controller.signal.reason
            : new ProviderError('PROVIDER_ERROR', 'The job failed unexpectedly', true);
      // A call we stopped because its job was canceled is not the provider's failure: it does
      // not count towards the provider's error rate (and its alert).
      const canceled = failure.code === 'CANCELED';
      providerDuration.observe(
        {
          provider: this.provider.name,
          operation: claimed.operation,
          outcome: canceled ? 'canceled' : 'error',
        },
        secondsSince(providerStarted),
      );
      if (!canceled) providerErrors.inc({ provider: this.provider.name, code: failure.code });
      if (!(error instanceof ProviderError))
        this.logger.error({ err: loggableError(error), jobId }, 'provider call failed');
      return this.afterFailure(jobId, failure, lastAttempt);
    } finally {
      stopWatching();
      this.running.delete(jobId);
    }
    return this.afterSuccess(claimed, images);
  }

  /**
   * Re-reads the job's row every JOB_CANCEL_POLL_MS while its provider works and aborts the call
   * once the job was canceled or ended otherwise (failed by the reconciler): the database is
   * the truth, the pub/sub message only a faster hint that may never come with Redis down.
   * A job put back to `queued` by the reconciler is left alone: its settle decides.
   */
  private watchRow(jobId: string, controller: AbortController): () => void {
    let busy = false;
    const timer = setInterval(() => {
      if (busy || controller.signal.aborted) return;
      busy = true;
      void this.repo
        .findOne({
          where: { id: jobId },
          select: { id: true, status: true, cancelRequestedAt: true },
        })
        .then((row) => {
          if (!row) return;
          if (row.cancelRequestedAt || row.status === 'canceled') {
            controller.abort(new ProviderError('CANCELED', 'The job was canceled', false));
          } else if (row.status === 'failed' || row.status === 'succeeded') {
            controller.abort(new ProviderError('PROVIDER_ERROR', 'The job already ended', false));
          }
        })
        .catch((error: unknown) =>
          this.logger.warn(
            { err: loggableError(error), jobId },
            'could not re-read the job row; will try again',
          ),
        )
        .finally(() => (busy = false));
    }, this.config.JOB_CANCEL_POLL_MS);
    timer.unref();
    return () => clearInterval(timer);
  }

  /**
   * Deletes the bytes of outputs no committed row points at. Once the settle's transaction has
   * answered, none does; if it threw, only the rows can tell, and bytes are kept whenever they
   * cannot be read (the orphan sweep deletes, a day on, bytes no row points at): a paid job's
   * outputs are never deleted on a guess.
   */
  private async discardUnpaid(outputs: StoredFile[], settleAnswered: boolean): Promise<void> {
    if (outputs.length === 0) return;
    if (!settleAnswered) {
      const recorded = await this.files.recorded(outputs).catch(() => null);
      if (recorded !== 0) {
        this.logger.warn(
          { jobId: outputs[0]?.jobId, recorded },
          'the settle failed without saying whether it committed; its outputs are kept',
        );
        return;
      }
    }
    await this.files.discard(outputs);
  }

  private async inputOf(job: AiJob): Promise<ProviderInput> {
    const input: ProviderInput = { jobId: job.id, operation: job.operation, params: job.params };
    const imageId = job.params.inputImageId;
    if (typeof imageId === 'string') {
      // A file in use cannot be deleted (FilesService.remove); should its row or its bytes be
      // gone all the same, the job fails as its input's fault, refunded, rather than being
      // tried again.
      const gone = (error: unknown): never => {
        if (error instanceof FileNotFoundError)
          throw new ProviderError('INVALID_INPUT', 'The input image no longer exists', false);
        throw error;
      };
      const file = await this.files.getVisible(imageId, job.userId).catch(gone);
      input.image = {
        url: (await this.files.link(file)).url,
        read: () => this.files.read(file).catch(gone),
      };
    }
    return input;
  }

  private async afterSuccess(job: AiJob, images: Buffer[]): Promise<RunOutcome> {
    // Bytes first (outside the transaction), rows with the charge. Whatever is known not to end
    // in a committed charge deletes the bytes it wrote (discardUnpaid): a failed settle leaves
    // no orphan behind, and one that may have committed leaves its outputs to their rows.
    const outputs: StoredFile[] = [];
    let outcome: RunOutcome = 'skipped';
    // Whether the settle's transaction said how it ended: when it throws instead (a connection
    // cut after the COMMIT), it may have committed, and the bytes may be a paid job's outputs.
    let settleAnswered = false;
    try {
      for (const image of images)
        outputs.push(await this.files.storeOutput(job.userId, job.id, image));
      outcome = await traced('ai-job.settle', () =>
        this.txHost.withTransaction(async (): Promise<RunOutcome> => {
          // Still running with no cancel pending: marked succeeded (and locked) in one
          // statement, then paid for in the same transaction.
          const succeeded = await this.transitions.succeedRunning(job.id);
          if (succeeded) {
            await this.files.saveRows(outputs);
            await this.ledger.confirm(succeeded.holdId);
            await this.notifications.jobEnded(succeeded, 'succeeded');
            return 'succeeded';
          }
          const current = await this.lock(job.id);
          // Ended meanwhile (canceled through the API, failed by the reconciler): its hold is
          // refunded and these outputs are unpaid.
          if (!current || current.status !== 'running') return 'skipped';
          // A cancel was asked for (a row written before cancels settled at once): never charge it.
          if (current.cancelRequestedAt) {
            await this.jobs.finishCanceled(current, 'Canceled while it ran');
            return 'canceled';
          }
          return 'skipped';
        }),
      );
      settleAnswered = true;
    } finally {
      if (outcome !== 'succeeded') await this.discardUnpaid(outputs, settleAnswered);
    }
    if (outcome === 'succeeded' || outcome === 'canceled') {
      jobDuration.observe({ operation: job.operation, outcome }, ageSeconds(job.createdAt));
      await this.signals.statusChanged(job.id, outcome);
    }
    return outcome;
  }

  private async afterFailure(
    jobId: string,
    failure: ProviderError,
    lastAttempt: boolean,
  ): Promise<RunOutcome> {
    if (failure.code === 'CANCELED') {
      this.logger.log({ jobId }, 'provider call stopped: the job was canceled');
      await this.finish(jobId, 'canceled', failure);
      return 'canceled';
    }
    if (failure.retryable && !lastAttempt) {
      await this.transitions.requeue(jobId, failure);
      await this.signals.statusChanged(jobId, 'queued');
      throw new RetryableJobError(failure);
    }
    await this.finish(jobId, 'failed', failure);
    return 'failed';
  }

  /**
   * Ends a job that will not succeed: refund its hold and record why, in one transaction.
   * `unlessAttemptsLeft` is for a job whose last queue attempt crashed (see endCrashed).
   */
  async finish(
    jobId: string,
    status: 'failed' | 'canceled',
    failure: JobFailure,
    { unlessAttemptsLeft = false } = {},
  ): Promise<boolean> {
    const ended = await traced('ai-job.settle', () =>
      this.txHost.withTransaction(async () => {
        const job = await this.lock(jobId);
        if (!job || TERMINAL_STATUSES.includes(job.status)) return null;
        if (unlessAttemptsLeft && job.attempts < this.config.JOB_ATTEMPTS) {
          this.logger.warn(
            { jobId, attempts: job.attempts, status: job.status },
            'its queue attempts crashed with row attempts left; the reconciler will put it back in the queue',
          );
          return null;
        }
        await this.ledger.refund(job.holdId, `${status}: ${failure.message}`);
        if ((await this.transitions.end(jobId, status, failure)) === null) return null;
        await this.notifications.jobEnded(job, status, failure);
        return job;
      }),
    );
    if (!ended) return false;
    jobDuration.observe(
      { operation: ended.operation, outcome: status },
      ageSeconds(ended.createdAt),
    );
    await this.signals.statusChanged(jobId, status);
    return true;
  }

  /**
   * The end of a job whose last queue attempt crashed because the database was unreachable,
   * rather than being decided by the provider's answer. A crash before its claim took used
   * none of the row's attempts, and the provider's work may be done and paid for, so the row
   * decides: with attempts left the job stays as it is, and the reconciler puts it back in the
   * queue to resume its provider request; with none left it is failed and refunded. (An outage
   * ends; a crash that is not one is failed at once by the processor.) Whether it ended.
   */
  endCrashed(jobId: string): Promise<boolean> {
    return this.finish(
      jobId,
      'failed',
      { code: 'INTERNAL_ERROR', message: 'The job could not be completed' },
      { unlessAttemptsLeft: true },
    );
  }
}

/**
 * What of a provider's answer a job delivers: exactly the images it is paid for. Fewer is the
 * provider's failure, refunded at once: never charged in full for part of the work, and not
 * retried, since a retry resumes the same provider request and would fetch the same answer.
 * Any beyond are dropped (never delivered free).
 */
function deliverable(images: Buffer[], paidFor: number): Buffer[] {
  if (!Number.isInteger(paidFor) || paidFor < 1)
    throw new ProviderError(
      'INVALID_INPUT',
      'The job does not say how many images it is for',
      false,
    );
  if (images.length < paidFor)
    throw new ProviderError(
      'PROVIDER_ERROR',
      `The model returned ${images.length} of the ${paidFor} images asked for`,
      false,
    );
  return images.slice(0, paidFor);
}
