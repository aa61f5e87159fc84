import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { createHash } from 'node:crypto';
import { AuditService, canonicalJson, type AuditActor } from '@jewelshot/audit';
import { loggableError, REDIS } from '@jewelshot/platform';
import { isSelf } from './admin-actions';
import { ADMIN_CONFIG, type AdminConfig } from './admin.config';

/** One read of a user's data by someone else (an admin): what was read, and whose it is. */
export interface ForeignRead {
  resource: 'user' | 'credits' | 'job' | 'batch' | 'file';
  id: string;
  /** The user whose data it is: the event's target. */
  ownerId: string;
}

/** One search or list across users by an admin: which list, and what it was filtered by. */
export interface AdminSearch {
  resource: 'users' | 'jobs' | 'emails' | 'abuse-flags';
  /** The filters as asked (paging aside); unset ones are left out. */
  filters: Record<string, string | number | Date | undefined>;
}

/**
 * An admin reading another user's data (a user's detail or ledger history; their job, batch or
 * file, on the admin routes or through the seller routes, which an admin's session reaches to
 * answer a support question) is on the record as a `support.read` event, target the user whose
 * data it is: one per admin and resource per ADMIN_READ_AUDIT_WINDOW_MS, so a page that polls a
 * job leaves one event, not hundreds. The window's Redis key is set only once the event has
 * committed: a read whose event could not be written fails, and so does the next one, until an
 * event stands (two reads at once may both write one: a record too many beats one missing). If
 * Redis cannot answer, the event is written anyway.
 */
@Injectable()
export class AdminReads {
  private readonly logger = new Logger(AdminReads.name);

  constructor(
    private readonly audit: AuditService,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(ADMIN_CONFIG) private readonly config: AdminConfig,
  ) {}

  /** Records `read` by `actor`, unless it is the actor's own data or was recorded within the window. */
  record(actor: AuditActor, read: ForeignRead): Promise<boolean> {
    if (actor.actorId === null || isSelf(actor, read.ownerId)) return Promise.resolve(false);
    return this.once(`admin:read:${actor.actorId}:${read.resource}:${read.id}`, () =>
      this.audit.recordApart(actor, {
        action: 'support.read',
        targetType: 'user',
        targetId: read.ownerId,
        details: { resource: read.resource, id: read.id },
      }),
    );
  }

  /**
   * Records a search or list across users (`support.search`: which list, filtered by what),
   * once per admin and search per window: the pages of one search, or a console polling it,
   * leave one event. It names no one user, so it has no target; its filters (an email
   * fragment, a user id) say whom it was looking for.
   */
  recordSearch(actor: AuditActor, search: AdminSearch): Promise<boolean> {
    if (actor.actorId === null) return Promise.resolve(false);
    const filters = Object.fromEntries(
      Object.entries(search.filters)
        .filter(([, value]) => value !== undefined)
        .map(([name, value]) => [name, value instanceof Date ? value.toISOString() : value]),
    );
    const asked = createHash('sha256')
      .update(canonicalJson({ resource: search.resource, filters }))
      .digest('hex');
    return this.once(`admin:search:${actor.actorId}:${asked}`, () =>
      this.audit.recordApart(actor, {
        action: 'support.search',
        details: { resource: search.resource, filters },
      }),
    );
  }

  /** Runs `write` unless `key` says it ran within the window; sets `key` once it has. */
  private async once(key: string, write: () => Promise<unknown>): Promise<boolean> {
    const recorded = await this.redis.exists(key).catch((error: unknown) => {
      this.logger.warn({ err: loggableError(error) }, 'read-event limiter unavailable');
      return 0;
    });
    if (recorded) return false;
    await write();
    await this.redis
      .set(key, '1', 'PX', this.config.ADMIN_READ_AUDIT_WINDOW_MS)
      .catch((error: unknown) =>
        this.logger.warn({ err: loggableError(error) }, 'read-event limiter unavailable'),
      );
    return true;
  }
}
