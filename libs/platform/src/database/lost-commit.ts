import { Logger } from '@nestjs/common';
import { isUnavailableError } from '../http/unavailable';

const logger = new Logger('LostCommit');

/**
 * What a transaction that threw may still have done. One whose connection was cut after its
 * COMMIT went out may have committed with its answer lost, and only its rows can say so:
 * `read` looks for them (in a transaction of its own) and returns what stands, or null. The
 * rows when they stand; otherwise, when the error was not a lost database, or when `read`
 * fails too, the original error. So a client is not told "try again" about a charge that was
 * made, and a retry does not make a second one.
 */
export async function whatCommitted<T>(error: unknown, read: () => Promise<T | null>): Promise<T> {
  if (!isUnavailableError(error)) throw error;
  const stands = await read().catch(() => null);
  if (stands === null) throw error;
  logger.warn(
    'a transaction whose answer was lost had committed: its rows stand, and are answered',
  );
  return stands;
}
