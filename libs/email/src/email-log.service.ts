import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { newestFirstPage, RowScope, ValidationError } from '@jewelshot/platform';
import { EmailMessage, type EmailStatus } from './entities/email-message.entity';

/** What support sees of a message: what was sent to whom and what became of it, never its body. */
export type EmailRecord = Omit<EmailMessage, 'html' | 'text' | 'headers'>;

export interface EmailLogFilter {
  userId?: string;
  status?: EmailStatus;
  template?: string;
}

/** The admins' view of email_messages, newest first (every user's rows, on purpose). */
@Injectable()
export class EmailLog {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly scope: RowScope,
  ) {}

  list(
    filter: EmailLogFilter,
    limit: number,
    cursor?: string,
  ): Promise<{ data: EmailRecord[]; nextCursor: string | null }> {
    return this.scope.allUsers(async () => {
      const repo = this.txHost.tx.getRepository(EmailMessage);
      const after = cursor ? await repo.findOneBy({ id: cursor }) : null;
      if (cursor && !after)
        throw new ValidationError([
          { field: 'cursor', message: 'cursor must be the nextCursor of a previous page' },
        ]);
      const query = repo
        .createQueryBuilder('m')
        .select([
          'm.id',
          'm.userId',
          'm.toAddress',
          'm.template',
          'm.language',
          'm.subject',
          'm.status',
          'm.providerId',
          'm.attempts',
          'm.lastError',
          'm.createdAt',
          'm.updatedAt',
          'm.sentAt',
        ]);
      if (filter.userId) query.andWhere('m.userId = :userId', { userId: filter.userId });
      if (filter.status) query.andWhere('m.status = :status', { status: filter.status });
      if (filter.template) query.andWhere('m.template = :template', { template: filter.template });
      return newestFirstPage(query, limit, after);
    });
  }
}
