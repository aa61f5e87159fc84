import { Logger } from '@nestjs/common';
import { DomainError } from '../errors/domain-error';
import { isUnavailableError } from '../http/unavailable';

const logger = new Logger('LostCommit');

/** A transaction's id, noted inside it (`pg_current_xact_id()`), once it has one. */
export interface TransactionNote {
  xid: string | null;
}

/**
 * How long the server is asked about a transaction whose COMMIT was cut off: while it is still
 * "in progress", or cannot be asked at all (restarting), before its outcome is called unknown.
 */
const OUTCOME_WAIT_MS = 10_000;
const POLL_MS = 100;

/**
 * The database went away as a transaction committed, and did not come back in time to say
 * whether it had: the request may have been carried out. Unlike the 503 of a transaction known
 * to have rolled back, it carries no Retry-After and says so in `details.outcome`: a retry
 * without the same Idempotency-Key may do it twice.
 */
export class CommitOutcomeUnknownError extends DomainError {
  constructor() {
    super(
      'SERVICE_UNAVAILABLE',
      'The database went away as your request was being saved: it may have been carried out. ' +
        'Retry only with the same Idempotency-Key, or look for it before you retry.',
      { outcome: 'unknown' },
    );
  }
}

/**
 * What a transaction that threw may still have done. One whose connection was cut after its
 * COMMIT went out may have committed with its answer lost. The server knows: `note.xid` (noted
 * inside the transaction before it wrote anything) is asked with `pg_xact_status` on another
 * connection, for up to OUTCOME_WAIT_MS while the server still finishes it (a COMMIT in flight,
 * a synchronous replica) or cannot be asked (a restart). Committed: `read` gives the rows it
 * wrote. Rolled back, no id noted, or not a lost database: the original error. No answer in
 * time: CommitOutcomeUnknownError. So a client is not told "try again" about a charge that
 * was made, and is told when that cannot be known.
 */
export async function whatCommitted<T>(
  error: unknown,
  lost: {
    note: TransactionNote;
    /** Runs one statement on a connection of its own (not the lost one). */
    ask: (sql: string, params: unknown[]) => Promise<unknown>;
    read: () => Promise<T | null>;
    /** How long to keep asking (OUTCOME_WAIT_MS). */
    waitMs?: number;
  },
): Promise<T> {
  const { xid } = lost.note;
  if (!isUnavailableError(error) || xid === null) throw error;
  const until = Date.now() + (lost.waitMs ?? OUTCOME_WAIT_MS);
  for (;;) {
    const rows = (await lost
      .ask('SELECT pg_xact_status($1::xid8) AS status', [xid])
      .catch(() => undefined)) as Array<{ status: string | null }> | undefined;
    // undefined: the server could not be asked (yet).
    const status = rows === undefined ? undefined : (rows[0]?.status ?? null);
    if (status === 'committed') {
      const stands = await lost.read().catch(() => undefined);
      if (stands === null) throw error;
      if (stands !== undefined) {
        logger.warn(
          { xid },
          'a transaction whose answer was lost had committed: its rows stand, and are answered',
        );
        return stands;
      }
    } else if (status !== undefined && status !== 'in progress') {
      // Aborted (or unknown to the server: never committed).
      throw error;
    }
    if (Date.now() > until) {
      logger.warn({ xid, status }, 'the outcome of a transaction whose answer was lost is unknown');
      throw new CommitOutcomeUnknownError();
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
