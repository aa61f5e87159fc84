import { Injectable } from '@nestjs/common';
import {
  AbuseFlags,
  type AbuseFlag,
  type FlagPage,
  type FlagResolution,
  type FlagStatus,
} from '@jewelshot/abuse';
import type { AuditActor } from '@jewelshot/audit';
import { RowScope } from '@jewelshot/platform';
import { AdminActions } from './admin-actions';
import { AdminUsers } from './admin-users';

/**
 * Admin use cases on abuse flags: list them, and resolve one as `dismissed` (the user's tier
 * is restored) or `banned` (the existing ban action, with its own audit event), each in one
 * audited transaction.
 */
@Injectable()
export class AdminAbuse {
  constructor(
    private readonly actions: AdminActions,
    private readonly flags: AbuseFlags,
    private readonly users: AdminUsers,
    private readonly scope: RowScope,
  ) {}

  list(limit: number, status?: FlagStatus, cursor?: string): Promise<FlagPage> {
    return this.scope.allUsers(() => this.flags.list(limit, status, cursor));
  }

  resolve(
    actor: AuditActor,
    flagId: string,
    resolution: FlagResolution,
    note: string,
  ): Promise<AbuseFlag> {
    return this.actions.run(
      actor,
      { action: 'abuse.flag.resolve', targetType: 'abuse-flag', targetId: flagId, reason: note },
      async () => {
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
  }
}
