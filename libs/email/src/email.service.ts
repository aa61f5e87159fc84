import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { Events, RowScope } from '@jewelshot/platform';
import { EMAIL_CONFIG, type EmailConfig } from './email.config';
import { EmailMessage, type EmailStatus } from './entities/email-message.entity';
import { EmailOptOut } from './entities/email-opt-out.entity';
import { EmailQueued } from './events/email-queued';
import { renderEmail } from './templates/render';
import {
  emailLanguage,
  isSecurityTemplate,
  type EmailTemplate,
  type PreferenceType,
  type TemplateData,
} from './templates/template-names';
import { signUnsubscribe } from './unsubscribe-token';
import { emailsByStatus } from './email.metrics';

export interface EmailRequest<T extends EmailTemplate> {
  template: T;
  /** The address, given by the caller (email knows addresses, not accounts). */
  to: string;
  /** The user it concerns, as a plain value: preferences and the cap are kept per user. */
  userId: string;
  /** `en` or `tr` (anything else is English). */
  language?: string | null;
  data: TemplateData[T];
}

export interface EnqueuedEmail {
  id: string;
  status: EmailStatus;
}

/**
 * The one way to send mail. It renders the template, then in the caller's transaction (or its
 * own) decides the message's fate, records it in email_messages and, if it is to go, publishes
 * EmailQueued: the worker hands it to the `email` queue only once that transaction has
 * committed, so a change that rolls back never mails anyone.
 *
 * The fate, in order: a type the user turned off is `suppressed` (security mail never is);
 * past EMAIL_MAX_PER_HOUR_PER_TYPE messages of this template in the rolling hour, for this user
 * or for this address, it is `rate_limited`; otherwise `queued`. The cap is counted in the table
 * under a transaction-scoped advisory lock per (user, template) and (address, template), so
 * every process (two APIs, the worker) shares it exactly, and a rolled-back message never
 * counted.
 */
@Injectable()
export class EmailService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly scope: RowScope,
    private readonly events: Events,
    @Inject(EMAIL_CONFIG) private readonly config: EmailConfig,
  ) {}

  async enqueue<T extends EmailTemplate>(request: EmailRequest<T>): Promise<EnqueuedEmail> {
    const id = randomUUID();
    const language = emailLanguage(request.language);
    const baseUrl = this.config.APP_BASE_URL.replace(/\/$/, '');
    const security = isSecurityTemplate(request.template);
    const type = request.template as PreferenceType;
    const token = security
      ? null
      : signUnsubscribe(this.config.EMAIL_TOKEN_SECRET, request.userId, type);
    const headers: Record<string, string> = token
      ? {
          'List-Unsubscribe': `<${baseUrl}/v1/email/unsubscribe?token=${token}>`,
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        }
      : {};
    // Rendered before the transaction: a template's time is not spent holding its locks.
    const rendered = await renderEmail(request.template, request.data, {
      language,
      baseUrl,
      unsubscribeUrl: token ? `${baseUrl}/unsubscribe?token=${token}` : undefined,
    });
    const to = request.to.trim().toLowerCase();
    const result = await this.scope.run(request.userId, async () => {
      const status = await this.fate(request.userId, to, request.template, security);
      await this.txHost.tx.getRepository(EmailMessage).insert({
        id,
        userId: request.userId,
        toAddress: to,
        template: request.template,
        language,
        subject: rendered.subject.slice(0, 300),
        status,
        html: status === 'queued' ? rendered.html : null,
        text: status === 'queued' ? rendered.text : null,
        headers,
        attempts: 0,
      });
      if (status === 'queued') await this.events.publish(new EmailQueued({ messageId: id }));
      return { id, status };
    });
    // Counted once the row is written (a rolled-back caller's transaction still counts it).
    emailsByStatus.inc({ status: result.status });
    return result;
  }

  private async fate(
    userId: string,
    to: string,
    template: EmailTemplate,
    security: boolean,
  ): Promise<EmailStatus> {
    const tx = this.txHost.tx;
    if (!security) {
      const off = await tx.getRepository(EmailOptOut).existsBy({ userId, type: template });
      if (off) return 'suppressed';
    }
    // Always in this order (user, then address), so two enqueues never wait on each other crosswise.
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
      `email-cap:user:${userId}:${template}`,
    ]);
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
      `email-cap:address:${to}:${template}`,
    ]);
    // By address across every user's rows (a counting function of the Email migration: the
    // caller's row scope shows only this user's).
    const [counts] = (await tx.query(
      `SELECT (SELECT count(*)::int FROM email_messages
                WHERE user_id = $1 AND template = $3
                  AND status NOT IN ('rate_limited', 'suppressed')
                  AND created_at > now() - interval '1 hour') AS by_user,
              email_recent_to_address($2, $3) AS by_address`,
      [userId, to, template],
    )) as Array<{ by_user: number; by_address: number }>;
    const max = this.config.EMAIL_MAX_PER_HOUR_PER_TYPE;
    if ((counts?.by_user ?? 0) >= max || (counts?.by_address ?? 0) >= max) return 'rate_limited';
    return 'queued';
  }
}
