/**
 * Fastify's `trustProxy` from TRUSTED_PROXIES: the list of CIDRs, or false when empty, so
 * that by default nobody can choose their own address (and rate-limit bucket) with a header.
 */
export function trustedProxies(config: { readonly TRUSTED_PROXIES: string }): string[] | false {
  const list = config.TRUSTED_PROXIES.split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  return list.length > 0 ? list : false;
}
