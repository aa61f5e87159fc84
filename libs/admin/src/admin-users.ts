import { Injectable } from '@nestjs/common';
import type { AuditActor } from '@jewelshot/audit';
import { AiJob, JobsService } from '@jewelshot/ai-jobs';
import { CreditHold, LedgerService, type Balance } from '@jewelshot/credit-ledger';
import {
  PrincipalService,
  Session,
  SessionsService,
  User,
  UsersService,
  type PriorityTier,
  type UserPage,
  type UserRole,
  type UserSearch,
} from '@jewelshot/identity';
import { RowScope } from '@jewelshot/platform';
import { AdminActions, isSelf } from './admin-actions';
import { LastAdminError, SelfActionError } from './admin.errors';

export interface UserDetail {
  user: User;
  balance: Balance;
  holds: CreditHold[];
  recentJobs: AiJob[];
  sessions: Session[];
}

export interface BanResult {
  user: User;
  sessionsEnded: number;
  canceledJobs: string[];
  refunded: number;
}

const USER_VIEW = (user: User) => ({
  status: user.status,
  role: user.role,
  priorityTier: user.priorityTier,
});

/** Admin use cases on accounts: search, detail, ban, unban, sessions, tier, role. */
@Injectable()
export class AdminUsers {
  constructor(
    private readonly actions: AdminActions,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly principals: PrincipalService,
    private readonly ledger: LedgerService,
    private readonly jobs: JobsService,
    private readonly scope: RowScope,
  ) {}

  search(search: UserSearch, limit: number, cursor?: string): Promise<UserPage> {
    return this.scope.allUsers(() => this.users.list(limit, cursor, search));
  }

  detail(userId: string): Promise<UserDetail> {
    return this.scope.allUsers(async () => {
      const user = await this.users.getById(userId);
      const [balance, holds, jobs, sessions] = [
        await this.ledger.balance(userId),
        await this.ledger.pendingHolds(userId),
        await this.jobs.search({ userId }, 10),
        await this.sessions.openOf(userId),
      ];
      return { user, balance, holds, recentJobs: jobs.data, sessions };
    });
  }

  /** Refuses a change that would leave no active admin (admin rows locked first). */
  private async keepAnAdmin(user: User): Promise<void> {
    if (user.role !== 'admin' || user.status !== 'active') return;
    const admins = await this.users.lockActiveAdmins();
    if (admins.length <= 1 && admins.includes(user.id)) throw new LastAdminError();
  }

  /** Bans the account: every session ends, every queued job is canceled and refunded. */
  ban(actor: AuditActor, userId: string, reason: string): Promise<BanResult> {
    return this.actions.run(
      actor,
      { action: 'user.ban', targetType: 'user', targetId: userId, reason },
      async () => {
        if (isSelf(actor, userId)) throw new SelfActionError('ban');
        const user = await this.users.getById(userId);
        await this.keepAnAdmin(user);
        const before = USER_VIEW(user);
        await this.users.setStatus(userId, 'banned');
        const sessionsEnded = await this.sessions.revokeAll(userId, 'banned');
        const canceled = await this.jobs.cancelQueuedOf(userId, 'Canceled: the account was banned');
        const canceledJobs = canceled.map((job) => job.id);
        const refunded = canceled.reduce((sum, job) => sum + job.cost, 0);
        const after = await this.users.getById(userId);
        return {
          result: { user: after, sessionsEnded, canceledJobs, refunded },
          before,
          after: { ...USER_VIEW(after), sessionsEnded, canceledJobs, refunded },
          afterCommit: () => {
            this.principals.forget(userId);
            this.jobs.announceCanceled(canceledJobs);
          },
        };
      },
    );
  }

  unban(actor: AuditActor, userId: string, reason: string): Promise<User> {
    return this.actions.run(
      actor,
      { action: 'user.unban', targetType: 'user', targetId: userId, reason },
      async () => {
        const user = await this.users.getById(userId);
        const before = USER_VIEW(user);
        await this.users.setStatus(userId, 'active');
        const after = await this.users.getById(userId);
        return {
          result: after,
          before,
          after: USER_VIEW(after),
          afterCommit: () => this.principals.forget(userId),
        };
      },
    );
  }

  endSessions(actor: AuditActor, userId: string, reason: string): Promise<number> {
    return this.actions.run(
      actor,
      { action: 'user.end-sessions', targetType: 'user', targetId: userId, reason },
      async () => {
        await this.users.getById(userId);
        const open = (await this.sessions.openOf(userId, 1000)).length;
        const ended = await this.sessions.revokeAll(userId, 'ended_by_admin');
        return {
          result: ended,
          before: { openSessions: open },
          after: { openSessions: open - ended },
          afterCommit: () => this.principals.forget(userId),
        };
      },
    );
  }

  setPriorityTier(
    actor: AuditActor,
    userId: string,
    tier: PriorityTier,
    reason: string | null,
  ): Promise<User> {
    return this.actions.run(
      actor,
      { action: 'user.priority-tier', targetType: 'user', targetId: userId, reason },
      async () => {
        // An admin's own jobs queue like anyone's: another admin sets their tier.
        if (isSelf(actor, userId)) throw new SelfActionError('change the priority tier of');
        const user = await this.users.getById(userId);
        await this.users.setPriorityTier(userId, tier);
        const after = await this.users.getById(userId);
        return {
          result: after,
          before: { priorityTier: user.priorityTier },
          after: { priorityTier: after.priorityTier },
        };
      },
    );
  }

  /** Makes the user an admin (`admin`) or takes it away (`user`). */
  setRole(actor: AuditActor, userId: string, role: UserRole, reason: string): Promise<User> {
    const action = role === 'admin' ? 'user.promote' : 'user.demote';
    return this.actions.run(
      actor,
      { action, targetType: 'user', targetId: userId, reason },
      async () => {
        if (role !== 'admin' && isSelf(actor, userId)) throw new SelfActionError('demote');
        const user = await this.users.getById(userId);
        if (role !== 'admin') await this.keepAnAdmin(user);
        await this.users.setRole(userId, role);
        const after = await this.users.getById(userId);
        return {
          result: after,
          before: { role: user.role },
          after: { role: after.role },
          afterCommit: () => this.principals.forget(userId),
        };
      },
    );
  }
}
