import { Injectable } from '@nestjs/common';
import type { AuditActor } from '@jewelshot/audit';
import {
  CreditEntry,
  LedgerService,
  LedgerVerifier,
  OperationPrice,
  type LedgerSummary,
} from '@jewelshot/credit-ledger';
import { UsersService } from '@jewelshot/identity';
import { RowScope } from '@jewelshot/platform';
import { AdminActions, isSelf } from './admin-actions';
import { SelfActionError } from './admin.errors';

type Verification = Awaited<ReturnType<LedgerVerifier['verify']>>;

/** Admin use cases on the ledger: adjustments, any user's history, prices, verify, summary. */
@Injectable()
export class AdminCredits {
  constructor(
    private readonly actions: AdminActions,
    private readonly ledger: LedgerService,
    private readonly verifier: LedgerVerifier,
    private readonly users: UsersService,
    private readonly scope: RowScope,
  ) {}

  /**
   * An adjustment entry carrying the admin's id and reason; never on the admin's own account.
   * A replay (a reference already used for this adjustment) changes nothing and returns the
   * first entry; its audit event says so (`details.replayed`), so the log never reads as two
   * adjustments.
   */
  adjust(
    actor: AuditActor,
    userId: string,
    delta: number,
    reference: string,
    reason: string,
  ): Promise<CreditEntry> {
    return this.actions.run(
      actor,
      { action: 'credits.adjust', targetType: 'user', targetId: userId, reason },
      async () => {
        if (isSelf(actor, userId)) throw new SelfActionError('adjust the credits of');
        await this.users.getById(userId);
        const before = await this.ledger.balance(userId, { lock: true });
        const replayed = (await this.ledger.entry(`admin:${reference}`)) !== null;
        const entry = await this.ledger.adjust(
          userId,
          delta,
          `admin:${reference}`,
          reason,
          actor.actorId,
        );
        const after = await this.ledger.balance(userId);
        const details = { delta, reference, entryId: entry.id, ...(replayed && { replayed }) };
        return { result: entry, before, after, details };
      },
    );
  }

  history(userId: string, limit: number, cursor?: string) {
    return this.scope.allUsers(async () => {
      await this.users.getById(userId);
      return this.ledger.history(userId, limit, cursor);
    });
  }

  prices(): Promise<OperationPrice[]> {
    return this.scope.allUsers(() => this.ledger.prices());
  }

  /** A new price applies to holds made after it; holds already made keep their snapshot. */
  setPrice(
    actor: AuditActor,
    operation: string,
    credits: number,
    reason: string,
  ): Promise<OperationPrice> {
    return this.actions.run(
      actor,
      { action: 'price.set', targetType: 'operation', targetId: operation, reason },
      async () => {
        const change = await this.ledger.setPrice(operation, credits);
        const price = (await this.ledger.prices()).find((p) => p.operation === operation);
        return {
          result: price ?? Object.assign(new OperationPrice(), { operation, credits }),
          before: { credits: change.before },
          after: { credits: change.after },
        };
      },
    );
  }

  async verify(): Promise<Verification> {
    return this.scope.allUsers(() => this.verifier.verify());
  }

  summary(from: Date, to: Date): Promise<LedgerSummary> {
    return this.scope.allUsers(() => this.ledger.summary(from, to));
  }
}
