import { readUnsubscribe, signUnsubscribe } from './unsubscribe-token';

const SECRET = 'a-test-secret-of-at-least-thirty-two-chars';
const USER = '3f2b8c1e-5d4a-4e6f-9a7b-0c1d2e3f4a5b';

describe('unsubscribe tokens', () => {
  it('reads back the user and type it was signed for', () => {
    expect(readUnsubscribe(SECRET, signUnsubscribe(SECRET, USER, 'job-failed'))).toEqual({
      userId: USER,
      type: 'job-failed',
    });
  });

  it('refuses a token signed with another secret, altered, or naming a security type', () => {
    const token = signUnsubscribe(SECRET, USER, 'low-credits');
    expect(readUnsubscribe(`${SECRET}x`, token)).toBeNull();
    const [, signature] = token.split('.');
    const otherType = Buffer.from(`${USER}.batch-finished`).toString('base64url');
    expect(readUnsubscribe(SECRET, `${otherType}.${signature}`)).toBeNull();
    expect(readUnsubscribe(SECRET, `${token}x`)).toBeNull();
    expect(readUnsubscribe(SECRET, 'not-a-token')).toBeNull();
    const security = Buffer.from(`${USER}.password-reset`).toString('base64url');
    expect(readUnsubscribe(SECRET, `${security}.${signature}`)).toBeNull();
  });
});
