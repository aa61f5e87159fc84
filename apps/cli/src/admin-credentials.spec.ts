import { EMAIL_PATTERN } from '@jewelshot/identity';
import { adminEmailOf, adminPasswordProblem } from './admin-credentials';

describe('admin:create refuses what sign-up refuses', () => {
  it.each([
    ['password12', /most commonly used/],
    ['Password123', /most commonly used/],
    [' qwertyuiop ', /most commonly used/],
    ['short', /10 to 128/],
    ['x'.repeat(129), /10 to 128/],
  ])('refuses the password %j', (password, problem) => {
    expect(adminPasswordProblem(password)).toMatch(problem);
  });

  it('accepts a password sign-up accepts', () => {
    expect(adminPasswordProblem('cli-admin-password-1')).toBeNull();
    expect(adminPasswordProblem('x'.repeat(128))).toBeNull();
  });

  it.each([
    ['a@b', /not an address sign-up accepts/],
    ['user@localhost', /not an address sign-up accepts/],
    ['"quoted"@example.com', /not an address sign-up accepts/],
    ['no-at-sign.example.com', /not an address sign-up accepts/],
    ['\u001b[31mred@example.com', /control character/],
    ['admin@example.com\u001b]0;owned\u0007', /control character/],
    ['admin@example.com\r\nX: y', /control character/],
    [`${'a'.repeat(250)}@example.com`, /at most 254/],
  ])('refuses the email %j', (email, problem) => {
    const checked = adminEmailOf(email);
    expect(checked).toEqual({ problem: expect.stringMatching(problem) });
    // The refusal never carries the raw input (nothing of it reaches the terminal).
    expect(JSON.stringify(checked)).not.toContain('\\u001b');
  });

  it('stores the email in the normal form sign-up stores', () => {
    expect(adminEmailOf('  Admin@Example.TEST ')).toEqual({ email: 'admin@example.test' });
    expect(adminEmailOf('ops@ｅｘａｍｐｌｅ.com')).toEqual({ email: 'ops@example.com' });
    const accepted = adminEmailOf('first.last+ops@sub.example.co');
    expect(accepted).toEqual({ email: 'first.last+ops@sub.example.co' });
    expect(EMAIL_PATTERN.test('first.last+ops@sub.example.co')).toBe(true);
  });
});
