import {
  isRefusedAddress,
  resolveTarget,
  TargetRefusedError,
  type HostLookup,
  type ResolvedAddress,
} from './address-policy';

/** A resolver that answers from a table and never touches the network. */
function fakeLookup(table: Record<string, ResolvedAddress[]>): HostLookup {
  return async (hostname) => {
    const answer = table[hostname];
    if (!answer) throw new Error(`ENOTFOUND ${hostname}`);
    return answer;
  };
}

const v4 = (address: string): ResolvedAddress => ({ address, family: 4 });
const v6 = (address: string): ResolvedAddress => ({ address, family: 6 });

describe('the webhook address policy', () => {
  it.each([
    '10.0.0.1',
    '10.255.255.255',
    '172.16.0.1',
    '172.31.255.254',
    '192.168.1.1',
    '169.254.169.254',
    '127.0.0.1',
    '127.8.9.10',
    '0.0.0.0',
    '100.64.0.1',
    '100.100.100.200',
    '224.0.0.1',
    '::1',
    '::',
    'fc00::1',
    'fd00:ec2::254',
    'fe80::1',
    '::ffff:127.0.0.1',
    '::ffff:10.1.2.3',
    '::ffff:169.254.169.254',
    '::ffff:7f00:1',
    '::ffff:c0a8:101',
    '::127.0.0.1',
    '64:ff9b::a00:1',
    // What a URL parser makes of `[::127.0.0.1]` and `[::169.254.169.254]`.
    '::7f00:1',
    '::a9fe:a9fe',
    '::808:808',
    '::ffff:0:7f00:1',
    '64:ff9b:1::7f00:1',
    '2002:7f00:1::',
    '2001:0:4136:e378:8000:63bf:80ff:fffe',
    '192.88.99.1',
    'not an address',
  ])('refuses %s', (address) => {
    expect(isRefusedAddress(address)).toBe(true);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '172.15.255.255',
    '172.32.0.1',
    '192.169.0.1',
    '100.63.255.255',
    '100.128.0.1',
    '169.253.255.255',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
  ])('allows the public address %s', (address) => {
    expect(isRefusedAddress(address)).toBe(false);
  });

  const strict = (table: Record<string, ResolvedAddress[]>) => ({
    allowPrivate: false,
    lookup: fakeLookup(table),
  });

  it('resolves a public name once and pins the first address', async () => {
    const target = await resolveTarget(
      'https://hooks.example.com/in',
      strict({ 'hooks.example.com': [v4('93.184.216.34'), v6('2606:2800:220:1::1')] }),
    );
    expect(target.address).toEqual(v4('93.184.216.34'));
    expect(target.url.hostname).toBe('hooks.example.com');
  });

  it.each([
    ['a name resolving to a private address', 'https://intranet.example.com/', [v4('10.0.0.7')]],
    [
      'a name resolving to the metadata address',
      'https://meta.example.com/',
      [v4('169.254.169.254')],
    ],
    ['a name resolving to 172.16/12', 'https://a.example.com/', [v4('172.20.1.1')]],
    ['a name resolving to 192.168/16', 'https://b.example.com/', [v4('192.168.0.10')]],
    ['a name resolving to fc00::/7', 'https://c.example.com/', [v6('fd12:3456::1')]],
    ['a name resolving to a mapped loopback', 'https://d.example.com/', [v6('::ffff:127.0.0.1')]],
    [
      'a name with one public and one private address',
      'https://mixed.example.com/',
      [v4('93.184.216.34'), v4('192.168.1.20')],
    ],
  ])('refuses %s', async (_label, url, addresses) => {
    const host = new URL(url).hostname;
    await expect(resolveTarget(url, strict({ [host]: addresses }))).rejects.toThrow(
      TargetRefusedError,
    );
  });

  it.each([
    ['plain http', 'http://hooks.example.com/'],
    ['an IP literal in a private range', 'https://10.1.2.3/'],
    ['a bracketed IPv6 link-local literal', 'https://[fe80::1]/'],
    ['a mapped IPv6 literal', 'https://[::ffff:192.168.0.1]/'],
    ['an IPv4-compatible IPv6 literal', 'https://[::127.0.0.1]/'],
    ['an IPv4-translated IPv6 literal', 'https://[::ffff:0:127.0.0.1]/'],
    ['a local-use NAT64 literal', 'https://[64:ff9b:1::a9fe:a9fe]/'],
    ['a 6to4 literal', 'https://[2002:7f00:1::]/'],
    ['credentials in the URL', 'https://user:pw@hooks.example.com/'],
    ['another scheme', 'ftp://hooks.example.com/'],
    ['a name that does not resolve', 'https://nowhere.example.com/'],
  ])('refuses %s', async (_label, url) => {
    await expect(
      resolveTarget(url, strict({ 'hooks.example.com': [v4('93.184.216.34')] })),
    ).rejects.toThrow(TargetRefusedError);
  });

  it('tells an internal name apart from an unknown one in no way: same refusal, no address', async () => {
    const lookup = fakeLookup({ 'db.internal.example.com': [v4('10.20.30.40')] });
    const reasons = await Promise.all(
      ['https://db.internal.example.com/', 'https://nowhere.example.com/'].map((url) =>
        resolveTarget(url, { allowPrivate: false, lookup }).then(
          () => 'accepted',
          (error: Error) => error.message,
        ),
      ),
    );
    expect(reasons[0]).toBe(reasons[1]);
    expect(reasons[0]).not.toMatch(/10\.20|internal|accepted/);
  });

  it('allows http and private addresses when private targets are allowed (development)', async () => {
    const target = await resolveTarget('http://127.0.0.1:9/x', {
      allowPrivate: true,
      lookup: fakeLookup({}),
    });
    expect(target.address).toEqual(v4('127.0.0.1'));
  });
});
