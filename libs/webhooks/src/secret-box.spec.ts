import { newSigningSecret, SecretBox } from './secret-box';

describe('the webhook secret box', () => {
  it('seals a secret so that only the same key opens it', () => {
    const secret = newSigningSecret();
    const sealed = new SecretBox('k'.repeat(40)).seal(secret);
    expect(sealed).not.toContain(secret.slice(6));
    expect(new SecretBox('k'.repeat(40)).open(sealed)).toBe(secret);
    expect(() => new SecretBox('x'.repeat(40)).open(sealed)).toThrow();
  });

  it('makes Standard Webhooks secrets of 32 random bytes', () => {
    const secret = newSigningSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
    expect(newSigningSecret()).not.toBe(secret);
  });
});
