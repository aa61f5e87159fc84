import type { FastifyRequest } from 'fastify';
import type { AccessTokenCheck, AccessTokensService } from '@jewelshot/identity';
import { bearerToken, checkAccessToken } from './access-token-check';

function request(authorization?: string): FastifyRequest {
  return { headers: authorization === undefined ? {} : { authorization } } as FastifyRequest;
}

/** Counts verifications; every token is "valid" with itself as the subject. */
function counting(): { tokens: AccessTokensService; calls: string[] } {
  const calls: string[] = [];
  const tokens = {
    inspect(token: string): AccessTokenCheck {
      calls.push(token);
      return { ok: true, claims: { sub: token, sid: 's', role: 'user', exp: 1 } };
    },
  } as unknown as AccessTokensService;
  return { tokens, calls };
}

describe('bearerToken', () => {
  it('reads the bearer credential as passport-jwt did, scheme in any case', () => {
    expect(bearerToken(request('Bearer abc'))).toBe('abc');
    expect(bearerToken(request('bearer   abc'))).toBe('abc');
    expect(bearerToken(request('BEARER abc def'))).toBe('abc');
  });

  it('finds none without a bearer credential', () => {
    expect(bearerToken(request())).toBeUndefined();
    expect(bearerToken(request('Bearer'))).toBeUndefined();
    expect(bearerToken(request('Basic abc'))).toBeUndefined();
  });
});

describe('checkAccessToken', () => {
  it('verifies a request token once however often it is asked', () => {
    const { tokens, calls } = counting();
    const req = request('Bearer one');
    const first = checkAccessToken(req, tokens);
    const second = checkAccessToken(req, tokens);
    expect(second).toBe(first);
    expect(calls).toEqual(['one']);
  });

  it('verifies again when the request carries another token, and per request', () => {
    const { tokens, calls } = counting();
    const req = request('Bearer one');
    checkAccessToken(req, tokens);
    req.headers.authorization = 'Bearer two';
    expect(checkAccessToken(req, tokens)?.check).toMatchObject({ claims: { sub: 'two' } });
    checkAccessToken(request('Bearer one'), tokens);
    expect(calls).toEqual(['one', 'two', 'one']);
  });

  it('is null without a bearer token and verifies nothing', () => {
    const { tokens, calls } = counting();
    expect(checkAccessToken(request(), tokens)).toBeNull();
    expect(calls).toEqual([]);
  });
});
