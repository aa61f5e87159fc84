/**
 * Every message the system sends, by template name (stored in email_messages: never rename).
 * Security mail cannot be turned off; every other type has a switch in the user's preferences
 * and carries a one-click unsubscribe link.
 */
export const EMAIL_TEMPLATES = [
  'welcome',
  'verify-email',
  'password-reset',
  'password-changed',
  'api-key-created',
  'job-failed',
  'batch-finished',
  'low-credits',
  'admin-alert',
  'webhook-disabled',
] as const;
export type EmailTemplate = (typeof EMAIL_TEMPLATES)[number];

/** Cannot be turned off: about the account's safety, or (webhook-disabled) an integration that stopped. */
export const SECURITY_TEMPLATES = [
  'verify-email',
  'password-reset',
  'password-changed',
  'webhook-disabled',
  'api-key-created',
] as const;

/** The types a user may turn off (one switch each). */
export const PREFERENCE_TYPES = [
  'welcome',
  'job-failed',
  'batch-finished',
  'low-credits',
  'admin-alert',
] as const;
export type PreferenceType = (typeof PREFERENCE_TYPES)[number];

export const EMAIL_LANGUAGES = ['en', 'tr'] as const;
export type EmailLanguage = (typeof EMAIL_LANGUAGES)[number];

export function isSecurityTemplate(template: EmailTemplate): boolean {
  return (SECURITY_TEMPLATES as readonly string[]).includes(template);
}

export function isPreferenceType(type: string): type is PreferenceType {
  return (PREFERENCE_TYPES as readonly string[]).includes(type);
}

export function emailLanguage(language: string | null | undefined): EmailLanguage {
  return language === 'tr' ? 'tr' : 'en';
}

/** What each template is given by its caller (ids and figures; the links are built here). */
export interface TemplateData {
  welcome: Record<string, never>;
  'verify-email': { token: string };
  'password-reset': { token: string };
  'password-changed': Record<string, never>;
  'api-key-created': { name: string; prefix: string; scopes: string[] };
  'job-failed': {
    jobId: string;
    operation: string;
    /** The job's failure code: a known one is worded in the reader's language. */
    reasonCode?: string;
    /** The failure in English words: said when the code is not a known one. */
    reason: string;
    refunded: number;
  };
  'batch-finished': { batchId: string; total: number; succeeded: number; failed: number };
  'low-credits': { available: number; threshold: number };
  'webhook-disabled': { endpointId: string; url: string; failingSinceIso: string };
  'admin-alert': { title: string; detail: string; link?: string };
}
