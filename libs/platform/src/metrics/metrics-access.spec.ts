import { metricsAccess } from './metrics-access';

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
});
