import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { UsersService } from '@jewelshot/identity';
import { isUuid, newestFirstPage, ValidationError } from '@jewelshot/platform';
import { FlagNotFoundError, FlagResolvedError } from '../abuse.errors';
import { AbuseFlag, type FlagResolution, type FlagStatus } from '../entities/abuse-flag.entity';

export interface FlagPage {
  data: AbuseFlag[];
  nextCursor: string | null;
}

/** What resolving a flag changed, for the admin action's audit event. */
export interface FlagResolved {
  flag: AbuseFlag;
  before: { status: FlagStatus; priorityTier: string };
  after: { status: FlagStatus; resolution: FlagResolution; priorityTier: string };
}

/**
 * The flags, for admins (the admin lib's use cases call these inside AdminActions.run, so
 * every resolution is audited). A flagged user's own view never reads them.
 */
@Injectable()
export class AbuseFlags {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly users: UsersService,
  ) {}

  private get flags() {
    return this.txHost.tx.getRepository(AbuseFlag);
  }

  /** Newest first; the cursor is the last flag's id. */
  async list(limit: number, status?: FlagStatus, cursor?: string): Promise<FlagPage> {
    const after = cursor && isUuid(cursor) ? await this.flags.findOneBy({ id: cursor }) : null;
    if (cursor !== undefined && !after)
      throw new ValidationError([
        { field: 'cursor', message: 'cursor must be the nextCursor of a previous page' },
      ]);
    const query = this.flags.createQueryBuilder('flag');
    if (status) query.where('flag.status = :status', { status });
    return newestFirstPage(query, limit, after);
  }

  async get(id: string): Promise<AbuseFlag> {
    const flag = isUuid(id) ? await this.flags.findOneBy({ id }) : null;
    if (!flag) throw new FlagNotFoundError();
    return flag;
  }

  /**
   * Locks the open flag and marks it resolved. `dismissed` puts back the tier the user had
   * before the flag (if it is still `low`); `banned` leaves the tier (the caller bans).
   * In the caller's transaction.
   */
  async resolve(
    id: string,
    resolution: FlagResolution,
    note: string | null,
    actorId: string | null,
  ): Promise<FlagResolved> {
    return this.txHost.withTransaction(async () => {
      const flag = isUuid(id)
        ? await this.flags.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } })
        : null;
      if (!flag) throw new FlagNotFoundError();
      if (flag.status !== 'open') throw new FlagResolvedError();
      const user = await this.users.getById(flag.userId);
      const before = { status: flag.status, priorityTier: user.priorityTier };
      let tier = user.priorityTier;
      if (resolution === 'dismissed' && user.priorityTier === 'low') {
        tier = flag.previousTier;
        await this.users.setPriorityTier(flag.userId, tier);
      }
      const resolvedAt = new Date();
      await this.flags.update(
        { id },
        { status: 'resolved', resolution, note, resolvedBy: actorId, resolvedAt },
      );
      Object.assign(flag, {
        status: 'resolved',
        resolution,
        note,
        resolvedBy: actorId,
        resolvedAt,
      });
      return {
        flag,
        before,
        after: { status: 'resolved' as const, resolution, priorityTier: tier },
      };
    });
  }
}
