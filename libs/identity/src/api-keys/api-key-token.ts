import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Every key starts so: a secret scanner (and a reader) recognises it at a glance. */
export const API_KEY_PREFIX = 'js_live_';

const KEY_PATTERN = /^js_live_([0-9a-f]{24})_([0-9a-f]{64})$/;

/** A key's two parts: the public id it is found by, and the secret whose hash is stored. */
export interface ApiKeyParts {
  publicId: string;
  secret: string;
}

/** A new key: 96 bits of public id, 256 bits of secret. */
export function newApiKey(): ApiKeyParts & { key: string } {
  const publicId = randomBytes(12).toString('hex');
  const secret = randomBytes(32).toString('hex');
  return { publicId, secret, key: `${API_KEY_PREFIX}${publicId}_${secret}` };
}

/** The parts of a well-formed key, or null (anything else is not a key of ours). */
export function parseApiKey(token: string): ApiKeyParts | null {
  const match = KEY_PATTERN.exec(token);
  return match ? { publicId: match[1] as string, secret: match[2] as string } : null;
}

/** What is displayed of a key after its creation: enough to tell keys apart, nothing secret. */
export function apiKeyDisplayPrefix(publicId: string): string {
  return `${API_KEY_PREFIX}${publicId}`;
}

export function hashApiKeySecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time comparison of a presented secret with the stored hash. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const presented = Buffer.from(hashApiKeySecret(secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}
