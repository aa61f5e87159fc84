import {
  ACCEPTED_KEY_TTL_MS,
  ACCEPTED_KEYS_KEPT,
  AcceptedApiKeys,
  apiKeyCaller,
} from './api-key-header';
import type { FastifyRequest } from 'fastify';

const keyText = (n: number) => `js_live_${n.toString(16).padStart(24, '0')}_${'a'.repeat(64)}`;
const withKey = (key: string) =>
  ({ headers: { authorization: `Bearer ${key}` } }) as unknown as FastifyRequest;

describe('AcceptedApiKeys and the key caller', () => {
  afterEach(() => jest.restoreAllMocks());

  it("counts a key in its owner's bucket only once accepted, and never a made-up one", () => {
    const accepted = new AcceptedApiKeys();
    const caller = apiKeyCaller(accepted);
    expect(caller(withKey(keyText(1)))).toBeUndefined();
    accepted.remember(keyText(1), 'owner-1');
    expect(caller(withKey(keyText(1)))).toEqual({ key: 'user:owner-1' });
    // The owner's other key shares the bucket: more keys buy no more requests.
    accepted.remember(keyText(2), 'owner-1');
    expect(caller(withKey(keyText(2)))).toEqual({ key: 'user:owner-1' });
    // Same public id, another secret: not the accepted text.
    expect(caller(withKey(keyText(1).replace(/a$/, 'b')))).toBeUndefined();
  });

  it('forgets a key a minute after it was last accepted', () => {
    const accepted = new AcceptedApiKeys();
    const now = Date.now();
    const clock = jest.spyOn(Date, 'now').mockReturnValue(now);
    accepted.remember(keyText(1), 'owner-1');
    clock.mockReturnValue(now + ACCEPTED_KEY_TTL_MS - 1);
    expect(accepted.ownerOf(keyText(1))).toBe('owner-1');
    accepted.remember(keyText(1), 'owner-1');
    clock.mockReturnValue(now + 2 * ACCEPTED_KEY_TTL_MS - 2);
    expect(accepted.ownerOf(keyText(1))).toBe('owner-1');
    clock.mockReturnValue(now + 2 * ACCEPTED_KEY_TTL_MS - 1);
    expect(accepted.ownerOf(keyText(1))).toBeUndefined();
  });

  it('forgets a revoked key by its public id, and no other', () => {
    const accepted = new AcceptedApiKeys();
    accepted.remember(keyText(1), 'owner-1');
    accepted.remember(keyText(2), 'owner-1');
    // keyText(n): `js_live_<24 hex of n>_<secret>`.
    accepted.forgetPublicId((1).toString(16).padStart(24, '0'));
    expect(accepted.ownerOf(keyText(1))).toBeUndefined();
    expect(accepted.ownerOf(keyText(2))).toBe('owner-1');
  });

  it(`keeps at most ${ACCEPTED_KEYS_KEPT} keys, the least recently accepted going first`, () => {
    const accepted = new AcceptedApiKeys();
    for (let i = 0; i < ACCEPTED_KEYS_KEPT; i += 1) accepted.remember(keyText(i), `owner-${i}`);
    // Key 0 accepted again: key 1 is now the least recent.
    accepted.remember(keyText(0), 'owner-0');
    accepted.remember(keyText(ACCEPTED_KEYS_KEPT), 'owner-new');
    expect(accepted.ownerOf(keyText(0))).toBe('owner-0');
    expect(accepted.ownerOf(keyText(1))).toBeUndefined();
    expect(accepted.ownerOf(keyText(2))).toBe('owner-2');
    expect(accepted.ownerOf(keyText(ACCEPTED_KEYS_KEPT))).toBe('owner-new');
  });
});
