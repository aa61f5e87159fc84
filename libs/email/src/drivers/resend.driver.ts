import { Resend } from 'resend';
import { PermanentSendError, type EmailDriver, type OutgoingEmail } from './email-driver';

/**
 * Sends through Resend with the real SDK. The message id is Resend's Idempotency-Key, so a send
 * retried after a crash (sent, but not yet marked sent) is answered with the first delivery's
 * id instead of delivering again. 429, 5xx and network failures throw a plain error (the queue
 * retries them with backoff); any other refusal is permanent, with Resend's reason.
 */
export class ResendDriver implements EmailDriver {
  private readonly client: Resend;

  constructor(apiKey: string, baseUrl: string) {
    this.client = new Resend(apiKey, baseUrl ? { baseUrl: baseUrl.replace(/\/$/, '') } : undefined);
  }

  async send(message: OutgoingEmail): Promise<string> {
    const { data, error } = await this.client.emails.send(
      {
        from: message.from,
        to: [message.to],
        subject: message.subject,
        html: message.html,
        text: message.text,
        headers: message.headers,
      },
      { idempotencyKey: message.id },
    );
    if (error) {
      const status = error.statusCode;
      const reason = `Resend ${status ?? 'network'} ${error.name}: ${error.message}`;
      if (status === null || status === undefined || status === 429 || status >= 500)
        throw new Error(reason);
      throw new PermanentSendError(reason);
    }
    if (!data?.id) throw new Error('Resend answered without a message id');
    return data.id;
  }
}
