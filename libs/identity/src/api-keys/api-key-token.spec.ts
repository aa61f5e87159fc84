import {
  apiKeyDisplayPrefix,
  hashApiKeySecret,
  newApiKey,
  parseApiKey,
  secretMatches,
} from './api-key-token';

describe('API key tokens', () => {
  it('makes keys that parse back into their parts, with 256 bits of secret', () => {
    const made = newApiKey();
    expect(made.key).toMatch(/^js_live_[0-9a-f]{24}_[0-9a-f]{64}$/);
    expect(made.secret).toHaveLength(64);
    expect(parseApiKey(made.key)).toEqual({ publicId: made.publicId, secret: made.secret });
    expect(apiKeyDisplayPrefix(made.publicId)).toBe(`js_live_${made.publicId}`);
  });

  it('makes a different key each time', () => {
    expect(newApiKey().key).not.toBe(newApiKey().key);
  });

  it('refuses what is not exactly a key', () => {
    const { key } = newApiKey();
    for (const token of [
      '',
      'js_live_',
      key.slice(0, -1),
      `${key}0`,
      key.replace('js_live_', 'js_test_'),
      key.toUpperCase(),
      `${key}\n`,
      'eyJhbGciOiJIUzI1NiJ9.e30.sig',
    ])
      expect(parseApiKey(token)).toBeNull();
  });

  it('matches a secret against its stored hash only', () => {
    const { secret } = newApiKey();
    const stored = hashApiKeySecret(secret);
    expect(secretMatches(secret, stored)).toBe(true);
    const tampered = `${secret.slice(0, -1)}${secret.endsWith('0') ? '1' : '0'}`;
    expect(secretMatches(tampered, stored)).toBe(false);
    expect(secretMatches(secret, 'not-a-hash')).toBe(false);
  });
});
