import { ConfigError, loadConfig } from '../config/load-config';
import { metricsAccess } from './metrics-access';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig([], env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('METRICS_TOKEN at start-up', () => {
  const token = 'metrics-token-0123456789';

  it.each([
    ['a secret file’s trailing newline', `${token}\n`],
    ['a leading space', ` ${token}`],
    ['a CRLF', `${token}\r\n`],
    ['a space inside', 'metrics-token 0123456789'],
    ['sixteen spaces', ' '.repeat(16)],
    ['a tab', `${token}\t`],
  ])('refuses %s, naming the variable and why', (_name, value) => {
    expect(problemsOf({ METRICS_TOKEN: value })).toEqual([
      expect.stringMatching(/^METRICS_TOKEN: .*must not contain white space/),
    ]);
  });

  it('still refuses a short token, and accepts a good one that then matches', () => {
    expect(problemsOf({ METRICS_TOKEN: 'short' })).toEqual([
      expect.stringMatching(/^METRICS_TOKEN: .*at least 16 characters/),
    ]);
    const config = loadConfig([], { METRICS_TOKEN: token });
    expect(config.METRICS_TOKEN).toBe(token);
    expect(metricsAccess(config, `Bearer ${token}`)).toBe('allowed');
  });
});
