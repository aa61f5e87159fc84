import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { AuditService, type AuditActor } from '@jewelshot/audit';
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
  async record(actor: AuditActor, read: ForeignRead): Promise<boolean> {
    if (actor.actorId === null || isSelf(actor, read.ownerId)) return false;
    const key = `admin:read:${actor.actorId}:${read.resource}:${read.id}`;
    const recorded = await this.redis.exists(key).catch((error: unknown) => {
      this.logger.warn({ err: loggableError(error) }, 'read-event limiter unavailable');
      return 0;
    });
    if (recorded) return false;
    await this.audit.recordApart(actor, {
      action: 'support.read',
      targetType: 'user',
      targetId: read.ownerId,
      details: { resource: read.resource, id: read.id },
    });
    await this.redis
      .set(key, '1', 'PX', this.config.ADMIN_READ_AUDIT_WINDOW_MS)
      .catch((error: unknown) =>
        this.logger.warn({ err: loggableError(error) }, 'read-event limiter unavailable'),
      );
    return true;
  }
}
