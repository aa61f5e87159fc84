import { Inject, Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { IDENTITY_CONFIG, type IdentityConfig } from '../identity.config';

/** Rows deleted by one statement: a first run on a large table does not hold one long lock. */
const BATCH = 5_000;

/** How long a used or expired mailed link's token is kept (for an admin looking into a complaint). */
const USER_TOKEN_KEEP_DAYS = 30;

export interface IdentityPruned {
  refreshTokens: number;
  sessions: number;
  userTokens: number;
}

/**
 * Keeps the sign-in tables bounded (the worker runs it daily); every refresh adds a refresh
 * token, so a session refreshed every 15 minutes for its month leaves about 3,000. Deleted:
 * - a refresh token a day after it expired (it can never be exchanged again; a rotated one is
 *   kept until then, so presenting it still revokes its session as a leaked token);
 * - a session with no refresh token left (it can no longer be refreshed, and its access tokens
 *   ended long ago), and one revoked longer ago than a refresh token lives (until then, when and
 *   why a sign-in ended stays there for a support question);
 * - a mailed link's token 30 days after it was used or expired.
 * Sessions are row-scoped: the worker's connections see every user's.
 */
@Injectable()
export class IdentityRetention {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
  ) {}

  async prune(): Promise<IdentityPruned> {
    const refreshTokens = await this.inBatches(
      `DELETE FROM refresh_tokens WHERE id IN (
         SELECT id FROM refresh_tokens WHERE expires_at < now() - interval '1 day' LIMIT $1)`,
      [],
    );
    const sessions = await this.inBatches(
      `DELETE FROM sessions WHERE id IN (
         SELECT s.id FROM sessions s
          WHERE s.created_at < now() - interval '1 day'
            AND (s.revoked_at < now() - make_interval(secs => $2)
                 OR NOT EXISTS (SELECT 1 FROM refresh_tokens t WHERE t.session_id = s.id))
          LIMIT $1)`,
      [this.config.JWT_REFRESH_TTL_SECONDS],
    );
    const userTokens = await this.inBatches(
      `DELETE FROM user_tokens WHERE id IN (
         SELECT id FROM user_tokens
          WHERE used_at < now() - make_interval(days => $2)
             OR expires_at < now() - make_interval(days => $2)
          LIMIT $1)`,
      [USER_TOKEN_KEEP_DAYS],
    );
    return { refreshTokens, sessions, userTokens };
  }

  /** Runs `sql` (its $1 the batch size) until a batch deletes fewer rows than the batch. */
  private async inBatches(sql: string, params: unknown[]): Promise<number> {
    let total = 0;
    for (;;) {
      const [, deleted] = (await this.txHost.withTransaction(() =>
        this.txHost.tx.query(sql, [BATCH, ...params]),
      )) as [unknown, number];
      total += deleted;
      if (deleted < BATCH) return total;
    }
  }
}
