import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { ValidationError } from '@jewelshot/platform';
import { AuditEvent, type AuditOutcome } from './audit-event.entity';
import { AuditEventNotFoundError } from './audit.errors';

export interface AuditFilter {
  actorId?: string;
  action?: string;
  targetId?: string;
  /** The request that recorded the event (its X-Request-Id). */
  requestId?: string;
  outcome?: AuditOutcome;
  from?: Date;
  to?: Date;
}

export interface AuditPage {
  data: AuditEvent[];
  nextCursor: string | null;
}

/** Reading the log: newest first by seq (the cursor is the last seq seen), one event, a range in order. */
@Injectable()
export class AuditLog {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get events() {
    return this.txHost.tx.getRepository(AuditEvent);
  }

  private filtered(filter: AuditFilter) {
    const query = this.events.createQueryBuilder('e');
    if (filter.actorId) query.andWhere('e.actorId = :actorId', { actorId: filter.actorId });
    if (filter.action) query.andWhere('e.action = :action', { action: filter.action });
    if (filter.targetId) query.andWhere('e.targetId = :targetId', { targetId: filter.targetId });
    if (filter.requestId)
      query.andWhere('e.requestId = :requestId', { requestId: filter.requestId });
    if (filter.outcome) query.andWhere('e.outcome = :outcome', { outcome: filter.outcome });
    if (filter.from) query.andWhere('e.occurredAt >= :from', { from: filter.from });
    if (filter.to) query.andWhere('e.occurredAt < :to', { to: filter.to });
    return query;
  }

  async list(filter: AuditFilter, limit: number, cursor?: string): Promise<AuditPage> {
    if (cursor !== undefined && !/^\d{1,15}$/.test(cursor))
      throw new ValidationError([
        { field: 'cursor', message: 'cursor must be the nextCursor of a previous page' },
      ]);
    const query = this.filtered(filter)
      .orderBy('e.seq', 'DESC')
      .take(limit + 1);
    if (cursor !== undefined) query.andWhere('e.seq < :cursor', { cursor });
    const rows = await query.getMany();
    const data = rows.slice(0, limit);
    const last = data[data.length - 1];
    return { data, nextCursor: rows.length > limit && last ? String(last.seq) : null };
  }

  async get(seq: number): Promise<AuditEvent> {
    const event =
      Number.isSafeInteger(seq) && seq > 0 ? await this.events.findOneBy({ seq }) : null;
    if (!event) throw new AuditEventNotFoundError();
    return event;
  }

  /** The events of a range, oldest first, a batch at a time (for an export streamed to a client). */
  async *inOrder(filter: AuditFilter, batch = 1000): AsyncGenerator<AuditEvent[]> {
    let after = 0;
    for (;;) {
      const rows = await this.filtered(filter)
        .andWhere('e.seq > :after', { after })
        .orderBy('e.seq', 'ASC')
        .take(batch)
        .getMany();
      if (rows.length > 0) yield rows;
      const last = rows[rows.length - 1];
      if (!last || rows.length < batch) return;
      after = last.seq;
    }
  }

  /** The newest event, if any. */
  async head(): Promise<AuditEvent | null> {
    return this.events.findOne({ where: {}, order: { seq: 'DESC' } });
  }
}
