import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { AuditService, type AuditActor } from '@jewelshot/audit';
import { loggableError, REDIS } from '@jewelshot/platform';
import { ADMIN_CONFIG, type AdminConfig } from './admin.config';

/**
 * A non-admin calling an admin route is on the record as a `denied` event: one per caller per
 * ADMIN_DENIED_AUDIT_WINDOW_MS (a Redis key claimed with SET NX), so a script hammering admin
 * routes cannot flood the log. If Redis cannot answer, the event is written anyway: a record
 * too many beats one missing.
 */
@Injectable()
export class AdminDenials {
  private readonly logger = new Logger(AdminDenials.name);

  constructor(
    private readonly audit: AuditService,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(ADMIN_CONFIG) private readonly config: AdminConfig,
  ) {}

  /** Records the refusal of `route` to `actor`, unless this caller was recorded within the window. */
  async record(actor: AuditActor, route: { method: string; path: string }): Promise<boolean> {
    const caller = actor.actorId ?? `ip:${actor.ip ?? 'unknown'}`;
    let first = true;
    try {
      const claimed = await this.redis.set(
        `admin:denied:${caller}`,
        '1',
        'PX',
        this.config.ADMIN_DENIED_AUDIT_WINDOW_MS,
        'NX',
      );
      first = claimed === 'OK';
    } catch (error) {
      this.logger.warn({ err: loggableError(error) }, 'denied-event limiter unavailable');
    }
    if (!first) return false;
    await this.audit.recordApart(actor, {
      action: 'admin.access',
      outcome: 'denied',
      targetType: 'route',
      targetId: `${route.method} ${route.path}`.slice(0, 64),
      details: { method: route.method, route: route.path },
    });
    return true;
  }
}
