import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { EMAIL_CONFIG, type EmailConfig } from './email.config';
import { EMAIL_DRIVER, PermanentSendError, type EmailDriver } from './drivers/email-driver';
import { EmailMessage } from './entities/email-message.entity';
import { emailsByStatus } from './email.metrics';

export type SendOutcome = 'sent' | 'skipped' | 'failed';

/**
 * The worker's half: sends one queued message through the driver and records what happened.
 * A message no longer `queued` (already sent by an earlier delivery of its job) is skipped. A
 * provider error is recorded and thrown for the queue to retry, except a permanent refusal and
 * the last attempt, which mark the message `failed` with the reason. A crash between the
 * provider's answer and the `sent` update leaves it `queued`; the retry sends with the same
 * idempotency key (the message id), so the provider does not deliver it twice.
 */
@Injectable()
export class EmailSender {
  private readonly logger = new Logger(EmailSender.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(EMAIL_DRIVER) private readonly driver: EmailDriver,
    @Inject(EMAIL_CONFIG) private readonly config: EmailConfig,
  ) {}

  private get repo() {
    return this.dataSource.getRepository(EmailMessage);
  }

  async send(messageId: string, lastAttempt: boolean): Promise<SendOutcome> {
    const message = await this.repo.findOneBy({ id: messageId });
    if (!message || message.status !== 'queued' || message.html === null || message.text === null)
      return 'skipped';
    await this.repo.increment({ id: messageId }, 'attempts', 1);
    let providerId: string;
    try {
      providerId = await this.driver.send({
        id: message.id,
        to: message.toAddress,
        from: this.config.EMAIL_FROM,
        subject: message.subject,
        html: message.html,
        text: message.text,
        template: message.template,
        headers: message.headers,
        createdAt: message.createdAt,
      });
    } catch (error) {
      const reason = (error instanceof Error ? error.message : String(error)).slice(0, 1000);
      const permanent = error instanceof PermanentSendError;
      if (permanent || lastAttempt) {
        await this.repo.update(
          { id: messageId, status: 'queued' },
          { status: 'failed', lastError: reason, html: null, text: null },
        );
        emailsByStatus.inc({ status: 'failed' });
        this.logger.warn({ messageId, reason }, 'email failed');
        if (permanent) return 'failed';
      } else {
        await this.repo.update({ id: messageId }, { lastError: reason });
      }
      throw error;
    }
    await this.repo.update(
      { id: messageId, status: 'queued' },
      { status: 'sent', providerId, sentAt: new Date(), lastError: null, html: null, text: null },
    );
    emailsByStatus.inc({ status: 'sent' });
    return 'sent';
  }
}
