import { Logger } from '@nestjs/common';
import { DomainError } from '../errors/domain-error';
import { UNAVAILABLE_RETRY_AFTER_SECONDS } from '../http/unavailable';
import { CommitOutcomeUnknownError } from './lost-commit';

/** The database did not answer a submit in time; its transaction will roll back, not commit. */
export class DeadlinePassedError extends DomainError {
  constructor() {
    super(
      'SERVICE_UNAVAILABLE',
      'The database did not answer in time: nothing was done. Try again shortly.',
      { retryAfterSeconds: UNAVAILABLE_RETRY_AFTER_SECONDS },
    );
  }
}

/**
 * A deadline for work that ends in a COMMIT that spends (a submit: its key's claim, its
 * transaction). A database that hangs (a stopped server, a stalled disk) holds a statement with
 * no error: the client was cut off by the HTTP idle timeout with no answer, and when the server
 * woke up the transaction committed, charging a client that had been told nothing (who, without
 * an Idempotency-Key, would pay twice by trying again).
 *
 * With `within`, the work's caller is answered at the deadline, and the transaction is told
 * (`beforeCommit`, its last step) so that one past it rolls back instead of committing:
 * - the deadline passes before the COMMIT was asked for: DeadlinePassedError (503, Retry-After),
 *   and nothing will be committed;
 * - it passes while the COMMIT is on its way: CommitOutcomeUnknownError (503, outcome unknown).
 */
export class CommitDeadline {
  private static readonly logger = new Logger('CommitDeadline');
  private passed = false;
  private committing = false;

  private constructor() {}

  /** The last step inside the transaction: past the deadline, it throws, and so rolls back. */
  beforeCommit(): void {
    if (this.passed) throw new DeadlinePassedError();
    this.committing = true;
  }

  /** Runs `work` with a deadline of `ms`; the work itself goes on (and rolls back) if it passes. */
  static async within<T>(ms: number, work: (deadline: CommitDeadline) => Promise<T>): Promise<T> {
    const deadline = new CommitDeadline();
    const working = work(deadline);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        CommitDeadline.logger.warn(
          { deadlineMs: ms, committing: deadline.committing },
          'the database did not answer a submit in time: answered 503',
        );
        if (deadline.committing) reject(new CommitOutcomeUnknownError());
        else {
          deadline.passed = true;
          reject(new DeadlinePassedError());
        }
      }, ms);
    });
    try {
      return await Promise.race([working, late]);
    } finally {
      clearTimeout(timer);
      // Answered at the deadline: what the work ends with later is no one's to hear.
      working.catch(() => undefined);
    }
  }
}
