/** A message as a driver sends it. */
export interface OutgoingEmail {
  id: string;
  to: string;
  from: string;
  subject: string;
  html: string;
  text: string;
  template: string;
  headers: Record<string, string>;
  /** When it was asked for: the outbox driver names its files with it, so a resend overwrites. */
  createdAt: Date;
}

/** Sends one message; returns the provider's id for it. Must be safe to call twice for one id. */
export interface EmailDriver {
  send(message: OutgoingEmail): Promise<string>;
}

export const EMAIL_DRIVER = Symbol('EMAIL_DRIVER');

/** The provider refused the message for good (a 4xx other than 429): retrying cannot help. */
export class PermanentSendError extends Error {}
