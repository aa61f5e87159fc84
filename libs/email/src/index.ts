/**
 * Email's public face: enqueue (the one way to send), preferences and unsubscribe, the admin
 * log, the sender the worker's processor calls, config and errors
 * (test/integration/public-faces.spec.ts snapshots it).
 */
export { EMAIL_ENTITIES, EmailModule } from './email.module';
export { EMAIL_CONFIG, EMAIL_DRIVERS, emailConfig } from './email.config';
export type { EmailConfig, EmailDriverName } from './email.config';
export { EMAIL_ERROR_CODES, InvalidTokenError } from './email.errors';
export { EmailService } from './email.service';
export type { EmailRequest, EnqueuedEmail } from './email.service';
export { EmailPreferencesService } from './email-preferences.service';
export type { EmailPreferences } from './email-preferences.service';
export { EmailLog } from './email-log.service';
export type { EmailLogFilter, EmailRecord } from './email-log.service';
export { EmailSender } from './email-sender';
export type { SendOutcome } from './email-sender';
export { EMAIL_QUEUE } from './email.queue';
export type { SendEmailJob } from './email.queue';
export { EMAIL_STATUSES } from './entities/email-message.entity';
export type { EmailStatus } from './entities/email-message.entity';
export {
  EMAIL_LANGUAGES,
  EMAIL_TEMPLATES,
  PREFERENCE_TYPES,
  SECURITY_TEMPLATES,
} from './templates/template-names';
export type {
  EmailLanguage,
  EmailTemplate,
  PreferenceType,
  TemplateData,
} from './templates/template-names';
export { renderEmail } from './templates/render';
