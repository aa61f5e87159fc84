import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Short-lived signed links to a file: `?expires=<unix s>&sig=<HMAC-SHA256(fileId.expires)>`.
 * An <img> tag can use one; nobody can forge or extend one.
 */
export class FileSigner {
  private readonly key: Buffer;

  constructor(secret: string) {
    // A key of its own, derived from the app secret, so a file signature is never a JWT key.
    this.key = createHmac('sha256', secret).update('jewelshot:file-urls').digest();
  }

  sign(fileId: string, expiresAt: number): string {
    return createHmac('sha256', this.key).update(`${fileId}.${expiresAt}`).digest('base64url');
  }

  verify(fileId: string, expires: string, signature: string, now = Date.now()): boolean {
    if (!/^\d{1,12}$/.test(expires)) return false;
    const expiresAt = Number(expires);
    if (expiresAt * 1000 < now) return false;
    const expected = Buffer.from(this.sign(fileId, expiresAt));
    const given = Buffer.from(signature);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }
}
