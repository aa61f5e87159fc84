import { createHmac, timingSafeEqual } from 'node:crypto';
import { isUuid } from '@jewelshot/platform';
import { isPreferenceType, type PreferenceType } from './templates/template-names';

/**
 * The one-click unsubscribe token: `<user id>.<type>.<HMAC>` in base64url. Signed, so it cannot be
 * guessed or changed to another user or type; it never expires (RFC 8058 links are followed
 * long after the mail was sent). Turning a type off is all it can do.
 */
export function signUnsubscribe(secret: string, userId: string, type: PreferenceType): string {
  const body = Buffer.from(`${userId}.${type}`).toString('base64url');
  return `${body}.${mac(secret, body)}`;
}

export function readUnsubscribe(
  secret: string,
  token: string,
): { userId: string; type: PreferenceType } | null {
  const [body, signature, ...rest] = token.split('.');
  if (!body || !signature || rest.length > 0) return null;
  const expected = Buffer.from(mac(secret, body));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  const [userId, type] = Buffer.from(body, 'base64url').toString('utf8').split('.');
  if (!userId || !isUuid(userId) || !type || !isPreferenceType(type)) return null;
  return { userId, type };
}

function mac(secret: string, body: string): string {
  return createHmac('sha256', secret).update(`unsubscribe:${body}`).digest('base64url');
}
