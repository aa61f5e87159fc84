import { Injectable } from '@nestjs/common';
import { Propagation, TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import type { EntityManager } from 'typeorm';
import { isUuid } from '../uuid';

export interface RowScopeOptions {
  /**
   * `RequiresNew` for work that must commit on its own whatever the caller's transaction does
   * (an idempotency key, a revocation before an error); by default the caller's transaction is
   * joined.
   */
  propagation?: Propagation;
}

interface Settings {
  userId: string;
  allUsers: string;
}

const APPLY = `SELECT set_config('app.user_id', $1, true), set_config('app.all_users', $2, true)`;

/**
 * The one way to reach the user-owned tables from the API (row-level security, see
 * migrations/*-RowSecurity.ts). The settings are transaction-local, so each method runs its
 * work in a transaction (joining the caller's, like every service here) and sets who that
 * transaction may see first. Keep scopes short: enter them around database work only, never
 * around client I/O (request bodies, event streams, downloads) or a queue call that must
 * follow a commit.
 *
 * Nested in a transaction that already has a scope, the outer scope is restored when the
 * inner one ends, so a narrow `allUsers` lookup cannot leak into the rest of a request.
 */
@Injectable()
export class RowScope {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  /** Runs `fn` in a transaction that sees only `userId`'s rows. */
  run<T>(userId: string, fn: () => Promise<T>, options: RowScopeOptions = {}): Promise<T> {
    // The policy casts the setting to uuid: anything else would fail every statement.
    if (!isUuid(userId)) throw new Error('RowScope.run needs a user id (a uuid)');
    return this.within({ userId, allUsers: '' }, fn, options);
  }

  /**
   * Runs `fn` in a transaction that sees every user's rows, on purpose: admin use cases, the
   * ledger verifier, a signed file link (the signature is the authorisation), the owner lookup
   * of a refresh token. Every such path in the API calls this, so `grep allUsers` lists them.
   */
  allUsers<T>(fn: () => Promise<T>, options: RowScopeOptions = {}): Promise<T> {
    return this.within({ userId: '', allUsers: 'on' }, fn, options);
  }

  /** An admin's request sees every user's rows (`allUsers`); anyone else's only their own. */
  forCaller<T>(userId: string, isAdmin: boolean, fn: () => Promise<T>): Promise<T> {
    return isAdmin ? this.allUsers(fn) : this.run(userId, fn);
  }

  /** The same see-everything setting for code that runs its own transaction on a manager. */
  static async allUsersWithin(manager: EntityManager): Promise<void> {
    await manager.query(APPLY, ['', 'on']);
  }

  private within<T>(
    settings: Settings,
    fn: () => Promise<T>,
    options: RowScopeOptions,
  ): Promise<T> {
    const propagation = options.propagation ?? Propagation.Required;
    const joining = propagation === Propagation.Required && this.txHost.isTransactionActive();
    return this.txHost.withTransaction(propagation, async () => {
      const outer = joining ? await this.current() : null;
      await this.apply(settings);
      if (!outer) return fn();
      let result: T;
      try {
        result = await fn();
      } catch (error) {
        // The caller may catch and go on in this transaction: put its scope back if the
        // transaction still takes statements, and report the original error either way.
        await this.apply(outer).catch(() => undefined);
        throw error;
      }
      await this.apply(outer);
      return result;
    });
  }

  private async current(): Promise<Settings> {
    const [row] = (await this.txHost.tx.query(
      `SELECT COALESCE(current_setting('app.user_id', true), '') AS "userId",
              COALESCE(current_setting('app.all_users', true), '') AS "allUsers"`,
    )) as Settings[];
    return row ?? { userId: '', allUsers: '' };
  }

  private async apply(settings: Settings): Promise<void> {
    await this.txHost.tx.query(APPLY, [settings.userId, settings.allUsers]);
  }
}
