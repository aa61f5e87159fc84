import * as crypto from 'node:crypto';
import { metricsAccess } from './metrics-access';

// The real comparison, watched: which buffers it is given.
jest.mock('node:crypto', () => {
  const actual = jest.requireActual<typeof import('node:crypto')>('node:crypto');
  return { ...actual, timingSafeEqual: jest.fn(actual.timingSafeEqual) };
});

describe('metricsAccess', () => {
  const token = 'metrics-token-0123456789';

  it('is off in production without a token, and open elsewhere without one', () => {
    expect(metricsAccess({ NODE_ENV: 'production', METRICS_TOKEN: undefined }, undefined)).toBe(
      'off',
    );
    expect(
      metricsAccess({ NODE_ENV: 'production', METRICS_TOKEN: undefined }, `Bearer ${token}`),
    ).toBe('off');
    expect(metricsAccess({ NODE_ENV: 'development', METRICS_TOKEN: undefined }, undefined)).toBe(
      'allowed',
    );
    expect(metricsAccess({ NODE_ENV: 'test', METRICS_TOKEN: '' }, undefined)).toBe('allowed');
  });

  it('with a token, lets only its bearer in, in every environment', () => {
    for (const NODE_ENV of ['production', 'development'] as const) {
      const config = { NODE_ENV, METRICS_TOKEN: token };
      expect(metricsAccess(config, `Bearer ${token}`)).toBe('allowed');
      expect(metricsAccess(config, `bearer ${token}`)).toBe('allowed');
      expect(metricsAccess(config, undefined)).toBe('unauthorized');
      expect(metricsAccess(config, token)).toBe('unauthorized');
      expect(metricsAccess(config, `Bearer ${token}x`)).toBe('unauthorized');
      expect(metricsAccess(config, `Bearer ${token.slice(0, -1)}`)).toBe('unauthorized');
      expect(metricsAccess(config, 'Basic abc')).toBe('unauthorized');
    }
  });

  it('compares in constant time whatever the length given, so timing does not tell the length', () => {
    const compare = jest.mocked(crypto.timingSafeEqual);
    const config = { NODE_ENV: 'production' as const, METRICS_TOKEN: token };
    for (const given of ['x', token.slice(0, -1), `${token}${'y'.repeat(100)}`, token]) {
      compare.mockClear();
      metricsAccess(config, `Bearer ${given}`);
      expect(compare).toHaveBeenCalledTimes(1);
      const [a, b] = compare.mock.calls[0] as [Buffer, Buffer];
      expect(a).toHaveLength(b.length);
    }
  });
});
