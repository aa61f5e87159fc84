import { acceptableClaims } from './access-tokens.service';

describe('acceptableClaims', () => {
  const now = 1_800_000_000_000;
  const nowS = now / 1000;
  const base = { sub: 'u', sid: 's', role: 'user' };

  it('accepts exp within the TTL', () => {
    expect(acceptableClaims({ ...base, iat: nowS, exp: nowS + 900 }, 900, now)).toBe(true);
  });

  it('refuses no exp, an exp past the TTL, a past exp, or a lifetime (exp - iat) past the TTL', () => {
    expect(acceptableClaims({ ...base, iat: nowS }, 900, now)).toBe(false);
    expect(acceptableClaims({ ...base, exp: nowS + 86_400 }, 900, now)).toBe(false);
    expect(acceptableClaims({ ...base, exp: nowS - 1 }, 900, now)).toBe(false);
    expect(acceptableClaims({ ...base, iat: nowS - 5000, exp: nowS + 60 }, 900, now)).toBe(false);
    expect(acceptableClaims({ sid: 's', exp: nowS + 60 }, 900, now)).toBe(false);
  });
});
