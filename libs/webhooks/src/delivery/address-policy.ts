import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Where a webhook may not go when private targets are refused: loopback, private, carrier-grade
 * NAT, link-local (cloud metadata lives there: 169.254.169.254, fd00:ec2::254), unspecified,
 * multicast and reserved ranges, IPv6 forms that reach IPv4 through a translator or a tunnel
 * (NAT64, SIIT, 6to4, Teredo, IPv4-compatible), and IPv4-mapped addresses by the address they
 * map (`::ffff:127.0.0.1` is loopback).
 */
const REFUSED = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  // The 6to4 relay anycast (deprecated; it forwards into other networks).
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  REFUSED.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  // IPv4-compatible (deprecated; `::a.b.c.d`, which the URL parser writes `::7f00:1`), with
  // `::` and `::1` in it.
  ['::', 96],
  // IPv4-translated (SIIT): `::ffff:0:a.b.c.d`.
  ['::ffff:0:0:0', 96],
  // NAT64, the well-known and the local-use prefix: they reach IPv4 through a translator.
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  // Teredo and 6to4: tunnels that carry an IPv4 address (deprecated; no webhook lives there).
  ['2001::', 32],
  ['2002::', 16],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const)
  REFUSED.addSubnet(network, prefix, 'ipv6');

/** The IPv4 address an IPv6 address carries (`::ffff:a.b.c.d`, `::ffff:7f00:1`, `::a.b.c.d`), if any. */
function embeddedIpv4(address: string): string | null {
  const lower = address.toLowerCase();
  const dotted = /^::(?:ffff(?::0{1,4})?:)?(\d{1,3}(?:\.\d{1,3}){3})$/.exec(lower);
  if (dotted?.[1]) return dotted[1];
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex?.[1] && hex[2]) {
    const high = parseInt(hex[1], 16);
    const low = parseInt(hex[2], 16);
    return [high >> 8, high & 255, low >> 8, low & 255].join('.');
  }
  return null;
}

/** Whether a webhook may not be sent to this IP address (when private targets are refused). */
export function isRefusedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return REFUSED.check(address, 'ipv4');
  if (family === 6) {
    // The refused IPv6 ranges first (the tunnels and the IPv4-compatible form are refused
    // whatever they carry), then an IPv4-mapped address is judged by its IPv4 address.
    if (REFUSED.check(address, 'ipv6')) return true;
    const v4 = embeddedIpv4(address);
    return v4 ? REFUSED.check(v4, 'ipv4') : false;
  }
  return true;
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Name resolution, injectable so tests can make a name resolve anywhere without a network. */
export type HostLookup = (hostname: string) => Promise<ResolvedAddress[]>;

/** How long a name may take to resolve before the URL counts as not resolving. */
const LOOKUP_TIMEOUT_MS = 5000;

/** The system resolver (so /etc/hosts counts, as for any client), bounded in time. */
export const systemLookup: HostLookup = async (hostname) => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`lookup of ${hostname} timed out`)),
      LOOKUP_TIMEOUT_MS,
    );
  });
  try {
    const entries = await Promise.race([
      dnsLookup(hostname, { all: true, verbatim: true }),
      timeout,
    ]);
    return entries.map((entry) => ({ address: entry.address, family: entry.family === 6 ? 6 : 4 }));
  } finally {
    clearTimeout(timer);
  }
};

/** Why a URL may not receive webhooks (safe to show to its owner). */
export class TargetRefusedError extends Error {}

export interface TargetPolicy {
  /** Plain http and private addresses allowed (development and tests). */
  allowPrivate: boolean;
  lookup: HostLookup;
}

export interface Target {
  url: URL;
  /** The one address the delivery connects to: resolved and checked once (no DNS rebinding). */
  address: ResolvedAddress;
}

/**
 * Why a host is refused, the same whether its name does not resolve or resolves to a private,
 * loopback or link-local address, and without the address: the owner of an endpoint must not
 * learn how our network resolves names (which internal names exist, and where they point).
 */
const NOT_PUBLIC = "the URL's host does not resolve to a public address";

/**
 * Checks a webhook URL and resolves it once. Refused: anything but http(s), credentials in the
 * URL, and, unless private targets are allowed, plain http or any resolved address in a refused
 * range (all of a name's addresses must be public, so no round-robin trick gets through).
 */
export async function resolveTarget(raw: string, policy: TargetPolicy): Promise<Target> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TargetRefusedError('not a valid URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new TargetRefusedError('only http(s) URLs can receive webhooks');
  if (url.username || url.password)
    throw new TargetRefusedError('credentials in the URL are not allowed');
  if (!policy.allowPrivate && url.protocol !== 'https:')
    throw new TargetRefusedError('the URL must use https');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: ResolvedAddress[];
  const literal = isIP(host);
  if (literal) addresses = [{ address: host, family: literal === 6 ? 6 : 4 }];
  else {
    try {
      addresses = await policy.lookup(host);
    } catch {
      throw new TargetRefusedError(NOT_PUBLIC);
    }
  }
  const first = addresses[0];
  if (!first) throw new TargetRefusedError(NOT_PUBLIC);
  if (!policy.allowPrivate && addresses.some((entry) => isRefusedAddress(entry.address)))
    throw new TargetRefusedError(NOT_PUBLIC);
  return { url, address: first };
}

/** DI token of the HostLookup the deliverer uses (the system resolver; tests may swap it). */
export const HOST_LOOKUP = Symbol('webhooks host lookup');
