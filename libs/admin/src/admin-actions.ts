import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable, Logger } from '@nestjs/common';
import { Propagation } from '@nestjs-cls/transactional';
import { AuditService, type AuditActor } from '@jewelshot/audit';
import { DomainError, loggableError, RowScope } from '@jewelshot/platform';

/** What an admin write is about, for its audit event. */
export interface AdminAction {
  /** e.g. `user.ban` */
  action: string;
  targetType: string;
  targetId: string;
  reason?: string | null;
}

/**
 * Whether `userId` is the acting admin's own account: compared as uuids (in any case, as
 * PostgreSQL compares them), so an id typed in upper case is still the admin's own.
 */
export function isSelf(actor: AuditActor, userId: string): boolean {
  return actor.actorId !== null && actor.actorId.toLowerCase() === userId.toLowerCase();
}

/** What the domain call did: its result and the state before and after it. */
export interface AdminChange<T> {
  result: T;
  before: unknown;
  after: unknown;
  details?: unknown;
  /** Work that must follow the commit (queue calls, cache drops): run only if it committed. */
  afterCommit?: () => void | Promise<void>;
  /**
   * For a change whose effect does not roll back with the transaction (a Redis call): puts the
   * state back when the transaction did not commit, so no effect stands without its record.
   */
  undo?: () => Promise<unknown>;
}

export interface AdminRunOptions {
  /**
   * The change has an effect outside the database: the audit chain is locked before it, so
   * once the effect is made nothing but the commit itself stands between it and its record.
   */
  effectOutsideDatabase?: boolean;
}

/** What the admin actions run inside an outer one leave to it: to do once it has committed, or to put back if it has not. */
interface Deferred {
  afterCommit: Array<() => void | Promise<void>>;
  undo: Array<() => Promise<unknown>>;
  /** The failed events of nested actions, written once the outermost has ended. */
  failures: Array<() => Promise<void>>;
}

/**
 * The one way an admin write happens: ONE transaction { the domain call; audit.record }, scoped
 * to every user's rows on purpose. The change and its `succeeded` event commit together or not
 * at all; when the change fails, a `failed` event is committed on its own, outside the rolled
 * back transaction, and the error goes on to the caller.
 *
 * An action run inside another's change (an abuse flag resolved as a ban runs the ban) joins
 * the outer transaction, so its own "commit" is not one: its `afterCommit` waits for the
 * outermost action's commit (and is dropped if that rolls back), and its `undo` runs if the
 * outermost does not commit.
 */
@Injectable()
export class AdminActions {
  private readonly logger = new Logger(AdminActions.name);
  private readonly outer = new AsyncLocalStorage<Deferred>();

  constructor(
    private readonly audit: AuditService,
    private readonly scope: RowScope,
  ) {}

  async run<T>(
    actor: AuditActor,
    action: AdminAction,
    change: () => Promise<AdminChange<T>>,
    options: AdminRunOptions = {},
  ): Promise<T> {
    const outer = this.outer.getStore();
    const deferred: Deferred = outer ?? { afterCommit: [], undo: [], failures: [] };
    let done: AdminChange<T>;
    let undo: AdminChange<T>['undo'];
    try {
      done = await this.outer.run(deferred, () =>
        this.scope.allUsers(
          async () => {
            if (options.effectOutsideDatabase) await this.audit.holdChain();
            const changed = await change();
            undo = changed.undo;
            await this.audit.record(actor, {
              ...action,
              outcome: 'succeeded',
              before: changed.before,
              after: changed.after,
              details: changed.details,
            });
            return changed;
          },
          // Nested: a savepoint, so a failing inner action leaves none of its writes behind
          // even if the outer change catches its error and goes on.
          outer ? { propagation: Propagation.Nested } : {},
        ),
      );
    } catch (error) {
      if (undo) await this.undo(action, undo);
      if (outer) {
        // Its failed event waits for the outermost to end: written now, apart, it would wait
        // for the chain's lock, which the outer transaction may hold.
        outer.failures.push(() => this.recordFailure(actor, action, error));
        throw error;
      }
      for (const inner of deferred.undo.reverse()) await this.undo(action, inner);
      await this.recordFailure(actor, action, error);
      for (const failure of deferred.failures) await failure();
      throw error;
    }
    if (done.afterCommit) deferred.afterCommit.push(done.afterCommit);
    if (outer) {
      // Not committed yet: the outermost action's commit decides.
      if (undo) outer.undo.push(undo);
      return done.result;
    }
    for (const failure of deferred.failures) await failure();
    // Each one runs: the change has committed, whatever one of them throws.
    for (const afterCommit of deferred.afterCommit)
      await Promise.resolve()
        .then(afterCommit)
        .catch((error: unknown) =>
          this.logger.error(
            { err: loggableError(error), action: action.action },
            'work after an admin change failed; the change and its event stand',
          ),
        );
    return done.result;
  }

  private async undo(action: AdminAction, undo: () => Promise<unknown>): Promise<void> {
    try {
      await undo();
    } catch (undoError) {
      this.logger.error(
        { err: loggableError(undoError), action: action.action },
        'could not undo an admin change that did not commit: it stands with no succeeded event',
      );
    }
  }

  private async recordFailure(actor: AuditActor, action: AdminAction, error: unknown) {
    const details =
      error instanceof DomainError
        ? { code: error.code, message: error.message }
        : { code: 'INTERNAL_ERROR', message: 'unexpected error' };
    try {
      await this.audit.recordApart(actor, { ...action, outcome: 'failed', details });
    } catch (auditError) {
      // The caller still gets the original error; losing the failed event is logged loudly.
      this.logger.error(
        { err: loggableError(auditError), action: action.action },
        'could not record a failed admin action',
      );
    }
  }
}
