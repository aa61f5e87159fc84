import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { AuditService, type AuditActor } from '@jewelshot/audit';
import { loggableError, REDIS } from '@jewelshot/platform';
import { ADMIN_CONFIG, type AdminConfig } from './admin.config';

/** One read of a user's data by someone else (an admin): what was read, and whose it is. */
export interface ForeignRead {
  resource: 'user' | 'job' | 'batch' | 'file';
  id: string;
  /** The user whose data it is: the event's target. */
  ownerId: string;
}

/**
 * An admin reading another user's data (a user's detail; their job, batch or file on the seller
 * routes, which an admin's session reaches to answer a support question) is on the record as a
 * `support.read` event, target the user whose data it is: one per admin and resource per
 * ADMIN_READ_AUDIT_WINDOW_MS (a Redis key claimed with SET NX), so a page that polls a job
 * leaves one event, not hundreds. If Redis cannot answer, the event is written anyway. If the
 * event cannot be written, the read fails: no one else's data is shown off the record.
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
    if (actor.actorId === null || actor.actorId.toLowerCase() === read.ownerId.toLowerCase())
      return false;
    let first = true;
    try {
      const claimed = await this.redis.set(
        `admin:read:${actor.actorId}:${read.resource}:${read.id}`,
        '1',
        'PX',
        this.config.ADMIN_READ_AUDIT_WINDOW_MS,
        'NX',
      );
      first = claimed === 'OK';
    } catch (error) {
      this.logger.warn({ err: loggableError(error) }, 'read-event limiter unavailable');
    }
    if (!first) return false;
    await this.audit.recordApart(actor, {
      action: 'support.read',
      targetType: 'user',
      targetId: read.ownerId,
      details: { resource: read.resource, id: read.id },
    });
    return true;
  }
}
