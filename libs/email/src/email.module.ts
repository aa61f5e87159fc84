import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { declareEvents, EventsModule } from '@jewelshot/platform';
import { EMAIL_CONFIG, type EmailConfig } from './email.config';
import { EmailLog } from './email-log.service';
import { EmailPreferencesService } from './email-preferences.service';
import { EmailQueueHandOff } from './email-queue.handoff';
import { EmailSender } from './email-sender';
import { EmailService } from './email.service';
import { EMAIL_DRIVER, type EmailDriver } from './drivers/email-driver';
import { OutboxDriver } from './drivers/outbox.driver';
import { ResendDriver } from './drivers/resend.driver';
import { EmailMessage } from './entities/email-message.entity';
import { EmailOptOut } from './entities/email-opt-out.entity';
import { EmailQueued } from './events/email-queued';

export const EMAIL_ENTITIES = [EmailMessage, EmailOptOut];

export function emailDriverFor(config: EmailConfig): EmailDriver {
  return config.EMAIL_DRIVER === 'resend'
    ? new ResendDriver(config.RESEND_API_KEY, config.RESEND_BASE_URL)
    : new OutboxDriver(config.OUTBOX_DIR);
}

/** Email for every process: enqueue (API, worker, CLI), and the sender the worker's processor calls. */
@Module({
  imports: [TypeOrmModule.forFeature(EMAIL_ENTITIES), EventsModule],
  providers: [
    EmailService,
    EmailPreferencesService,
    EmailLog,
    EmailSender,
    EmailQueueHandOff,
    { provide: EMAIL_DRIVER, inject: [EMAIL_CONFIG], useFactory: emailDriverFor },
    declareEvents([EmailQueued]),
  ],
  exports: [EmailService, EmailPreferencesService, EmailLog, EmailSender],
})
export class EmailModule {}
