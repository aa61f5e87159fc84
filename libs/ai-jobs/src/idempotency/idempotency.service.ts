import { Injectable, Logger } from '@nestjs/common';
import { Propagation, TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { createHash } from 'node:crypto';
import { loggableError, RowScope, ValidationError } from '@jewelshot/platform';
import { IdempotencyInFlightError, IdempotencyKeyReusedError } from '../ai-jobs.errors';

/**
 * `new`: the key is ours, go ahead. `replay`: the key already names its job; `snapshot` is what
 * was recorded with it (the job as first answered), absent on keys written before snapshots.
 */
export type IdempotencyStart =
  | { kind: 'new'; claim: IdempotencyClaim }
  | { kind: 'replay'; jobId: string; snapshot: Record<string, unknown> | null }
  | { kind: 'answered'; resourceId: string };

/**
 * A key this request claimed: the key, and when its row was written (to the microsecond, as
 * PostgreSQL's text), which tells this claim from a later one of the same key that took over
 * after ABANDONED_AFTER_MS. Writing to the key, or freeing it, checks it is still this claim.
 */
export interface IdempotencyClaim {
  key: string;
  claimedAt: string;
}

/** What a key that created something other than a job records: the status and the thing's id. */
interface RecordedAnswer {
  id: string;
}

/**
 * A first request that left no trace this long ago is taken as abandoned (its process died, or
 * it stalled): a retry claims the key afresh. Should the first one come back and try to record
 * its job all the same, the claim it holds is no longer the key's (IdempotencyClaim), and its
 * transaction is refused: one key never makes two jobs.
 */
const ABANDONED_AFTER_MS = 60_000;

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value as object)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${stableJson((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Idempotency-Key for a request that spends or stores (a job, a batch, an upload), per user,
 * kept 24 h; each caller hashes its route into the request, so one key cannot mean two things. Same key and body: the first result
 * again. Same key, other body: 422. Same key while the first is in flight: 409.
 * The key row is committed before the work starts (so a concurrent duplicate sees it), and the
 * job it created is written to it inside the job's own transaction (so a crash cannot leave a
 * job the key does not know about). Apart from that, each step commits on its own, in the
 * user's row scope (`apart`). Used by JobsService.submit, BatchesService.submit and FilesService.upload; callers never see it.
 */
@Injectable()
export class IdempotencyService {
  private readonly logger = new Logger('Idempotency');

  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly scope: RowScope,
  ) {}

  /**
   * Runs `fn` in a transaction of its own (never the caller's), scoped to `userId`: the key's
   * first write must commit before the job exists, so a concurrent duplicate sees it.
   */
  private apart<T>(userId: string, fn: () => Promise<T>): Promise<T> {
    return this.scope.run(userId, fn, { propagation: Propagation.RequiresNew });
  }

  private query(sql: string, parameters: unknown[]): Promise<unknown> {
    return this.txHost.tx.query(sql, parameters);
  }

  async begin(userId: string, key: string, request: unknown): Promise<IdempotencyStart> {
    if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
      throw new ValidationError([
        { field: 'Idempotency-Key', message: 'must be 1-255 printable ASCII characters' },
      ]);
    }
    const hash = createHash('sha256').update(stableJson(request)).digest('hex');
    return this.apart(userId, () => this.claim(userId, key, hash));
  }

  private async claim(userId: string, key: string, hash: string): Promise<IdempotencyStart> {
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const [inserted] = (await this.query(
        `INSERT INTO idempotency_keys (user_id, key, request_hash) VALUES ($1, $2, $3)
         ON CONFLICT (user_id, key) DO NOTHING RETURNING created_at::text AS claimed_at`,
        [userId, key, hash],
      )) as Array<{ claimed_at: string }>;
      if (inserted) return { kind: 'new', claim: { key, claimedAt: inserted.claimed_at } };
      const [row] = (await this.query(
        `SELECT request_hash, response_status, response_body, job_id,
                created_at < now() - interval '24 hours' AS expired,
                created_at < now() - $3::interval AS abandoned
           FROM idempotency_keys WHERE user_id = $1 AND key = $2`,
        [userId, key, `${ABANDONED_AFTER_MS} milliseconds`],
      )) as Array<{
        request_hash: string;
        response_status: number | null;
        response_body: unknown;
        job_id: string | null;
        expired: boolean;
        abandoned: boolean;
      }>;
      if (!row) continue; // deleted in between: try again
      if (row.expired) {
        await this.free(userId, key);
        continue;
      }
      if (row.request_hash !== hash) throw new IdempotencyKeyReusedError();
      if (row.job_id) {
        // A body without response_status is our snapshot; with one, an HTTP answer stored by
        // the API before the key moved into this lib (read back through the job instead).
        const snapshot =
          row.response_status === null && row.response_body && typeof row.response_body === 'object'
            ? (row.response_body as Record<string, unknown>)
            : null;
        return { kind: 'replay', jobId: row.job_id, snapshot };
      }
      // A batch or an upload: the id of what it created, recorded in the creating transaction.
      const answer = row.response_body as RecordedAnswer | null;
      if (row.response_status !== null && typeof answer?.id === 'string')
        return { kind: 'answered', resourceId: answer.id };
      if (row.abandoned) {
        await this.free(userId, key);
        continue;
      }
      throw new IdempotencyInFlightError();
    }
    throw new IdempotencyInFlightError();
  }

  /**
   * Inside the job's transaction: the key now names its job, with a snapshot of the job as it
   * is first answered, so a replay answers the same even after the job has moved on.
   */
  async attachJob(
    userId: string,
    claim: IdempotencyClaim,
    jobId: string,
    snapshot: object,
  ): Promise<void> {
    await this.attach(userId, claim, 'job_id = $4, response_body = $5', [
      jobId,
      JSON.stringify(snapshot),
    ]);
  }

  /**
   * Inside the transaction that created a batch or an upload: the key now names it, so the same
   * request again answers with it (and nothing is created twice).
   */
  async attachAnswer(
    userId: string,
    claim: IdempotencyClaim,
    status: number,
    resourceId: string,
  ): Promise<void> {
    const answer: RecordedAnswer = { id: resourceId };
    await this.attach(userId, claim, 'response_status = $4, response_body = $5', [
      status,
      JSON.stringify(answer),
    ]);
  }

  /**
   * Records what the claim created, if the key is still this claim's and names nothing yet;
   * otherwise (a retry took the key over after ABANDONED_AFTER_MS) refuses, which rolls the
   * caller's transaction back: the retry's job, batch or file is the key's one.
   */
  private async attach(
    userId: string,
    claim: IdempotencyClaim,
    set: string,
    values: unknown[],
  ): Promise<void> {
    const [, updated] = (await this.txHost.tx.query(
      `UPDATE idempotency_keys SET ${set}
        WHERE user_id = $1 AND key = $2 AND created_at = $3::timestamptz
          AND job_id IS NULL AND response_status IS NULL`,
      [userId, claim.key, claim.claimedAt, ...values],
    )) as [unknown, number];
    if (updated !== 1) throw new IdempotencyInFlightError();
  }

  /**
   * The request failed: the key is free again, if it is still this claim's and names nothing. A
   * request whose creating transaction committed but whose answer was lost (the connection cut
   * after the COMMIT) fails too; its key names what was created, and stays, so a retry with it
   * replays that rather than creating and charging it twice.
   * Never throws: the request's own error is what its client must hear (a database still gone
   * would otherwise turn "the outcome is unknown" into a plain 503). A key it could not free
   * stays claimed until it is taken as abandoned (ABANDONED_AFTER_MS): a retry meanwhile is 409.
   */
  async abandon(userId: string, claim: IdempotencyClaim): Promise<void> {
    try {
      await this.apart(userId, () =>
        this.query(
          `DELETE FROM idempotency_keys
            WHERE user_id = $1 AND key = $2 AND created_at = $3::timestamptz
              AND job_id IS NULL AND response_status IS NULL`,
          [userId, claim.key, claim.claimedAt],
        ),
      );
    } catch (error) {
      this.logger.warn(
        { err: loggableError(error) },
        'an idempotency key could not be freed: it is taken as abandoned later',
      );
    }
  }

  private async free(userId: string, key: string): Promise<void> {
    await this.query(
      `DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND job_id IS NULL`,
      [userId, key],
    );
  }
}
