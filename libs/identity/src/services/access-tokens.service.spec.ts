import { JwtService } from '@nestjs/jwt';
import type { IdentityConfig } from '../identity.config';
import {
  AccessTokensService,
  acceptableClaims,
  VERIFIED_TOKENS_KEPT,
} from './access-tokens.service';

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

describe('AccessTokensService remembers verified tokens', () => {
  const secret = 'unit-secret-0123456789-0123456789-abcdef';
  const config = { JWT_SECRET: secret, JWT_ACCESS_TTL_SECONDS: 900 } as IdentityConfig;
  let jwt: JwtService;
  let tokens: AccessTokensService;
  let verifications: jest.SpyInstance;

  const sign = (sub: string, ttl = 900) =>
    jwt.sign({ sub, sid: 's1', role: 'user' }, { secret, algorithm: 'HS256', expiresIn: ttl });

  beforeEach(() => {
    jwt = new JwtService();
    tokens = new AccessTokensService(jwt, config);
    verifications = jest.spyOn(jwt, 'verify');
  });

  afterEach(() => jest.restoreAllMocks());

  it('verifies a token once: the same text again is answered from memory, with frozen claims', () => {
    const token = sign('u1');
    const first = tokens.inspect(token);
    const second = tokens.inspect(token);
    expect(first).toMatchObject({ ok: true, claims: { sub: 'u1', sid: 's1' } });
    expect(second).toEqual(first);
    expect(verifications).toHaveBeenCalledTimes(1);
    expect(second.ok && Object.isFrozen(second.claims)).toBe(true);
  });

  it('refuses a remembered token once its exp has passed, as it refuses any expired token', () => {
    const token = sign('u1', 60);
    expect(tokens.inspect(token).ok).toBe(true);
    const later = Date.now() + 61_000;
    jest.spyOn(Date, 'now').mockReturnValue(later);
    expect(tokens.inspect(token)).toEqual({ ok: false, signed: false });
    // Forgotten: asked again, it is verified again (and still refused).
    expect(tokens.inspect(token)).toEqual({ ok: false, signed: false });
    expect(verifications).toHaveBeenCalledTimes(3);
  });

  it('remembers only valid tokens: a changed signature or payload is verified afresh and refused', () => {
    const token = sign('u1');
    expect(tokens.inspect(token).ok).toBe(true);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const flipped = signature.startsWith('A') ? `B${signature.slice(1)}` : `A${signature.slice(1)}`;
    const forged = Buffer.from(JSON.stringify({ sub: 'admin', sid: 's1', role: 'admin' })).toString(
      'base64url',
    );
    expect(tokens.inspect(`${header}.${payload}.${flipped}`)).toEqual({ ok: false, signed: false });
    expect(tokens.inspect(`${header}.${forged}.${signature}`)).toEqual({
      ok: false,
      signed: false,
    });
    expect(tokens.inspect(`${header}.${forged}.${signature}`)).toEqual({
      ok: false,
      signed: false,
    });
    expect(verifications).toHaveBeenCalledTimes(4);
  });

  it(`keeps at most ${VERIFIED_TOKENS_KEPT} tokens, forgetting the oldest first`, () => {
    const first = sign('u0');
    expect(tokens.inspect(first).ok).toBe(true);
    const second = sign('u1');
    expect(tokens.inspect(second).ok).toBe(true);
    for (let i = 2; i <= VERIFIED_TOKENS_KEPT; i += 1)
      expect(tokens.inspect(sign(`u${i}`)).ok).toBe(true);
    expect(verifications).toHaveBeenCalledTimes(VERIFIED_TOKENS_KEPT + 1);
    // The first was pushed out by the last; the second is still there.
    expect(tokens.inspect(second).ok).toBe(true);
    expect(verifications).toHaveBeenCalledTimes(VERIFIED_TOKENS_KEPT + 1);
    expect(tokens.inspect(first).ok).toBe(true);
    expect(verifications).toHaveBeenCalledTimes(VERIFIED_TOKENS_KEPT + 2);
  });
});
