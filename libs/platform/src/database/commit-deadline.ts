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

/** The database did not answer a read in time (REQUEST_DEADLINE_MS). */
export class ReadDeadlinePassedError extends DomainError {
  constructor() {
    super('SERVICE_UNAVAILABLE', 'The database did not answer in time. Try again shortly.', {
      retryAfterSeconds: UNAVAILABLE_RETRY_AFTER_SECONDS,
    });
  }
}

/**
 * The deadline of work that ends in a COMMIT that spends (a submit: its key's claim, its
 * transaction), told by whoever keeps the time (the API, per request). A database that hangs (a
 * stopped server, a stalled disk) holds a statement with no error: the client was cut off by the
 * HTTP idle timeout with no answer, and when the server woke up the transaction committed,
 * charging a client that had been told nothing (who, without an Idempotency-Key, would pay twice
 * by trying again).
 *
 * The work asks `assertInTime` before it starts and `beforeCommit` as its transaction's last
 * step; when time is up, `expire` says what the client is to be told:
 * - the COMMIT not yet asked for: DeadlinePassedError (503, Retry-After), and from then on the
 *   work refuses to start or to commit (its transaction rolls back when the database wakes);
 * - the COMMIT on its way: CommitOutcomeUnknownError (503, outcome unknown).
 * One whose `expire` nobody calls (work no client waits on) never passes.
 */
export class CommitDeadline {
  private passed = false;
  private committing = false;

  /** Time is up: what the client is told. Work not yet committing will no longer commit. */
  expire(): DomainError {
    if (this.committing) return new CommitOutcomeUnknownError();
    this.passed = true;
    return new DeadlinePassedError();
  }

  /** Before the work starts: past the deadline, nothing is begun. */
  assertInTime(): void {
    if (this.passed) throw new DeadlinePassedError();
  }

  /** The last step inside the transaction: past the deadline, it throws, and so rolls back. */
  beforeCommit(): void {
    this.assertInTime();
    this.committing = true;
  }
}
