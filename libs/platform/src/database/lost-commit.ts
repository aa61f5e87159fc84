import { Logger } from '@nestjs/common';
import { isUnavailableError } from '../http/unavailable';

const logger = new Logger('LostCommit');

/** A transaction's id, noted inside it (`pg_current_xact_id()`), once it has one. */
export interface TransactionNote {
  xid: string | null;
}

/** How long a transaction whose COMMIT was cut off may stay "in progress" before we give up. */
const IN_PROGRESS_WAIT_MS = 10_000;
const POLL_MS = 100;

/**
 * What a transaction that threw may still have done. One whose connection was cut after its
 * COMMIT went out may have committed with its answer lost. The server knows: `note.xid` (noted
 * inside the transaction before it wrote anything) is asked with `pg_xact_status` on another
 * connection, waiting while the server still finishes it (a COMMIT in flight, a synchronous
 * replica). Committed: `read` gives the rows it wrote. Otherwise (not a lost database, no id
 * noted, aborted, or the server cannot be asked either): the original error. So a client is not
 * told "try again" about a charge that was made, and a retry does not make a second one.
 */
export async function whatCommitted<T>(
  error: unknown,
  lost: {
    note: TransactionNote;
    /** Runs one statement on a connection of its own (not the lost one). */
    ask: (sql: string, params: unknown[]) => Promise<unknown>;
    read: () => Promise<T | null>;
  },
): Promise<T> {
  const { xid } = lost.note;
  if (!isUnavailableError(error) || xid === null) throw error;
  const until = Date.now() + IN_PROGRESS_WAIT_MS;
  for (;;) {
    const rows = (await lost
      .ask('SELECT pg_xact_status($1::xid8) AS status', [xid])
      .catch(() => null)) as Array<{ status: string | null }> | null;
    const status = rows?.[0]?.status;
    if (status === 'committed') break;
    if (status !== 'in progress' || Date.now() > until) throw error;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  const stands = await lost.read().catch(() => null);
  if (stands === null) throw error;
  logger.warn(
    { xid },
    'a transaction whose answer was lost had committed: its rows stand, and are answered',
  );
  return stands;
}
