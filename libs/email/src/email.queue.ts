/** The BullMQ queue of messages to send: one job per message, job id = message id. Never rename. */
export const EMAIL_QUEUE = 'email';

export interface SendEmailJob {
  messageId: string;
}
