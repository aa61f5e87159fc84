import { trustedProxies } from './trusted-proxies';

describe('trustedProxies', () => {
  it('trusts nobody by default', () => {
    expect(trustedProxies({ TRUSTED_PROXIES: '' })).toBe(false);
    expect(trustedProxies({ TRUSTED_PROXIES: ' , ' })).toBe(false);
  });

  it('lists the configured CIDRs', () => {
    expect(trustedProxies({ TRUSTED_PROXIES: '10.0.0.0/8, 127.0.0.1/32,::1/128' })).toEqual([
      '10.0.0.0/8',
      '127.0.0.1/32',
      '::1/128',
    ]);
  });
});
