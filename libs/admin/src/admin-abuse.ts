import { Injectable } from '@nestjs/common';
import { AbuseFlags, type AbuseFlag, type FlagResolution, type FlagStatus } from '@jewelshot/abuse';
import type { AuditActor } from '@jewelshot/audit';
import { UsersService } from '@jewelshot/identity';
import { RowScope } from '@jewelshot/platform';
import { AdminActions, isSelf } from './admin-actions';
import { SelfActionError } from './admin.errors';
import { AdminUsers } from './admin-users';

/** A flag as an admin sees it: with the flagged user's email (null if the user is gone). */
export interface FlagView {
  flag: AbuseFlag;
  email: string | null;
}

export interface FlagViewPage {
  data: FlagView[];
  nextCursor: string | null;
}

/**
 * Admin use cases on abuse flags: list them, and resolve one as `dismissed` (the user's tier
 * is restored) or `banned` (the existing ban action, with its own audit event), each in one
 * audited transaction; never a flag on the admin's own account.
 */
@Injectable()
export class AdminAbuse {
  constructor(
    private readonly actions: AdminActions,
    private readonly flags: AbuseFlags,
    private readonly users: AdminUsers,
    private readonly accounts: UsersService,
    private readonly scope: RowScope,
  ) {}

  list(limit: number, status?: FlagStatus, cursor?: string): Promise<FlagViewPage> {
    return this.scope.allUsers(async () => {
      const page = await this.flags.list(limit, status, cursor);
      const emails = await this.accounts.emailsOf(page.data.map((flag) => flag.userId));
      return {
        data: page.data.map((flag) => ({ flag, email: emails.get(flag.userId) ?? null })),
        nextCursor: page.nextCursor,
      };
    });
  }

  async resolve(
    actor: AuditActor,
    flagId: string,
    resolution: FlagResolution,
    note: string,
  ): Promise<FlagView> {
    const flag = await this.actions.run(
      actor,
      { action: 'abuse.flag.resolve', targetType: 'abuse-flag', targetId: flagId, reason: note },
      async () => {
        // Dismissing one's own flag gives one's own tier back: another admin judges it.
        if (isSelf(actor, (await this.flags.get(flagId)).userId))
          throw new SelfActionError('resolve an abuse flag on');
        const resolved = await this.flags.resolve(flagId, resolution, note, actor.actorId);
        // The ban is the users' own action (sessions ended, queued jobs refunded, its own audit
        // event), joined to this transaction: it commits or rolls back with the resolution.
        if (resolution === 'banned')
          await this.users.ban(actor, resolved.flag.userId, `abuse flag: ${note}`);
        return {
          result: resolved.flag,
          before: resolved.before,
          after: resolved.after,
          details: { userId: resolved.flag.userId, score: resolved.flag.score },
        };
      },
    );
    const emails = await this.scope.allUsers(() => this.accounts.emailsOf([flag.userId]));
    return { flag, email: emails.get(flag.userId) ?? null };
  }
}
