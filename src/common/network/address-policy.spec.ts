import {
  nonPublicAddressKind,
  PageHostAllowList,
  refusedPageAddress,
  refusedPageHost,
} from './address-policy.js';

const allowList = (raw: string) => {
  const { allowList, problems } = PageHostAllowList.parse(raw);
  expect(problems).toEqual([]);
  return allowList;
};
const NONE = allowList('');

describe('nonPublicAddressKind', () => {
  it.each([
    ['0.0.0.0', 'an unspecified ("this network") address'],
    ['0.1.2.3', 'an unspecified ("this network") address'],
    ['127.0.0.1', 'a loopback address'],
    ['127.255.255.254', 'a loopback address'],
    ['10.0.0.1', 'a private (RFC 1918) address'],
    ['172.16.0.1', 'a private (RFC 1918) address'],
    ['172.31.255.255', 'a private (RFC 1918) address'],
    ['192.168.1.1', 'a private (RFC 1918) address'],
    ['169.254.169.254', 'a link-local address'],
    ['100.64.0.1', 'a shared (CGNAT) address'],
    ['100.127.255.255', 'a shared (CGNAT) address'],
    ['192.0.0.8', 'an IETF protocol assignment address'],
    ['198.18.0.1', 'a benchmarking address'],
    ['198.19.255.255', 'a benchmarking address'],
    ['224.0.0.1', 'a multicast address'],
    ['239.255.255.250', 'a multicast address'],
    ['240.0.0.1', 'a reserved address'],
    ['255.255.255.255', 'the broadcast address'],
    ['::', 'the unspecified address'],
    ['::1', 'a loopback address'],
    ['0:0:0:0:0:0:0:1', 'a loopback address'],
    ['fc00::1', 'a unique-local address'],
    ['fd12:3456::1', 'a unique-local address'],
    ['fe80::1', 'a link-local address'],
    ['fe80::1%eth0', 'a link-local address'],
    ['FEBF::1', 'a link-local address'],
    ['fec0::1', 'a site-local address'],
    ['ff02::1', 'a multicast address'],
    ['64:ff9b:1::a00:1', 'a local-use NAT64 address'],
  ])('%s is %s', (address, kind) => {
    expect(nonPublicAddressKind(address)).toBe(kind);
  });

  it.each([
    ['::ffff:127.0.0.1', 'an IPv4-mapped form of 127.0.0.1, a loopback address'],
    ['::ffff:7f00:1', 'an IPv4-mapped form of 127.0.0.1, a loopback address'],
    ['::ffff:a9fe:a9fe', 'an IPv4-mapped form of 169.254.169.254, a link-local address'],
    ['::ffff:0:10.0.0.1', 'an IPv4-translated form of 10.0.0.1, a private (RFC 1918) address'],
    ['::ffff:0:c0a8:101', 'an IPv4-translated form of 192.168.1.1, a private (RFC 1918) address'],
    ['::127.0.0.1', 'an IPv4-compatible form of 127.0.0.1, a loopback address'],
    ['::a00:1', 'an IPv4-compatible form of 10.0.0.1, a private (RFC 1918) address'],
    ['64:ff9b::127.0.0.1', 'a NAT64 form of 127.0.0.1, a loopback address'],
    ['64:ff9b::a9fe:a9fe', 'a NAT64 form of 169.254.169.254, a link-local address'],
    ['2002:7f00:1::', 'a 6to4 form of 127.0.0.1, a loopback address'],
    ['2002:c0a8:101::1', 'a 6to4 form of 192.168.1.1, a private (RFC 1918) address'],
  ])('judges %s by the IPv4 address it embeds', (address, kind) => {
    expect(nonPublicAddressKind(address)).toBe(kind);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '93.184.216.34',
    '172.15.255.255',
    '172.32.0.1',
    '100.63.255.255',
    '100.128.0.1',
    '169.253.0.1',
    '192.0.1.1',
    '198.17.255.255',
    '198.20.0.1',
    '223.255.255.255',
    '2606:4700:4700::1111',
    '2001:4860:4860::8888',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '2002:808:808::1',
    'fbff::1',
    'fe7f::1',
  ])('passes the public address %s', (address) => {
    expect(nonPublicAddressKind(address)).toBeUndefined();
  });

  it('refuses what is not an IP address', () => {
    expect(nonPublicAddressKind('')).toBe('not an IP address');
    expect(nonPublicAddressKind('example.com')).toBe('not an IP address');
  });
});

describe('PageHostAllowList', () => {
  it('allows the listed host names, subdomains of wildcards, addresses and CIDR blocks', () => {
    const list = allowList(
      ' pages.internal , *.cdn.internal,PAGES.corp.,10.1.2.3, 192.168.0.0/16, fd00::/8, [::1]',
    );
    expect(list.allowsHost('pages.internal')).toBe(true);
    expect(list.allowsHost('Pages.Internal.')).toBe(true);
    expect(list.allowsHost('pages.corp')).toBe(true);
    expect(list.allowsHost('a.cdn.internal')).toBe(true);
    expect(list.allowsHost('cdn.internal')).toBe(false);
    expect(list.allowsHost('evilcdn.internal')).toBe(false);
    expect(list.allowsHost('other.internal')).toBe(false);
    expect(list.allowsHost('10.1.2.3')).toBe(true);
    expect(list.allowsHost('10.1.2.4')).toBe(false);
    expect(list.allowsAddress('192.168.7.7')).toBe(true);
    expect(list.allowsAddress('::ffff:192.168.7.7')).toBe(true);
    expect(list.allowsAddress('192.169.0.1')).toBe(false);
    expect(list.allowsHost('[fd00::5]')).toBe(true);
    expect(list.allowsAddress('fe80::1')).toBe(false);
    expect(list.allowsHost('[::1]')).toBe(true);
    expect(list.allowsAddress('127.0.0.1')).toBe(false);
  });

  it('allows nothing when empty', () => {
    expect(NONE.allowsHost('localhost')).toBe(false);
    expect(NONE.allowsAddress('127.0.0.1')).toBe(false);
  });

  it('names every entry it cannot read', () => {
    const { problems } = PageHostAllowList.parse(
      'ok.internal, http://pages.internal, 10.0.0.0/33, 10.0.0.0/8/1, fd00::/129, a b, -bad-.internal, 10.0.0.0/x',
    );
    expect(problems).toHaveLength(7);
    expect(problems[0]).toBe(
      'MAINTENANCE_PAGE_ALLOWED_HOSTS: "http://pages.internal" is not a host name, an IP address or a CIDR block (such as pages.internal, *.pages.internal, 10.1.2.3, 10.0.0.0/8 or fd00::/8)',
    );
    expect(problems.join('\n')).toContain('"10.0.0.0/33"');
    expect(problems.join('\n')).toContain('"a b"');
  });
});

describe('refusedPageAddress', () => {
  it('refuses a non-public connected address unless its host or the address is allowed', () => {
    expect(refusedPageAddress(NONE, 'localhost', '127.0.0.1')).toBe(
      '127.0.0.1 is a loopback address',
    );
    expect(refusedPageAddress(NONE, 'pages.example.com', '8.8.8.8')).toBeUndefined();
    expect(refusedPageAddress(allowList('localhost'), 'localhost', '127.0.0.1')).toBeUndefined();
    expect(refusedPageAddress(allowList('127.0.0.1'), 'localhost', '127.0.0.1')).toBeUndefined();
    expect(refusedPageAddress(allowList('127.0.0.1'), 'localhost', '::1')).toBe(
      '::1 is a loopback address',
    );
    expect(refusedPageAddress(NONE, 'x', '')).toBe('the address is not an IP address');
  });
});

describe('refusedPageHost', () => {
  it('refuses literal non-public addresses and localhost names, as the URL parser normalises them', () => {
    const hostOf = (url: string) => new URL(url).hostname;
    expect(refusedPageHost(NONE, hostOf('http://127.0.0.1:3000/docs-json'))).toBe(
      '127.0.0.1 is a loopback address',
    );
    expect(refusedPageHost(NONE, hostOf('http://0x7f000001/'))).toBe(
      '127.0.0.1 is a loopback address',
    );
    expect(refusedPageHost(NONE, hostOf('http://2130706433/'))).toBe(
      '127.0.0.1 is a loopback address',
    );
    expect(refusedPageHost(NONE, hostOf('http://127.1/'))).toBe('127.0.0.1 is a loopback address');
    expect(refusedPageHost(NONE, hostOf('http://[::ffff:127.0.0.1]/'))).toBe(
      '::ffff:7f00:1 is an IPv4-mapped form of 127.0.0.1, a loopback address',
    );
    expect(refusedPageHost(NONE, hostOf('http://169.254.169.254/latest/meta-data/'))).toBe(
      '169.254.169.254 is a link-local address',
    );
    expect(refusedPageHost(NONE, hostOf('http://LOCALHOST./'))).toBe(
      'localhost is a loopback host name',
    );
    expect(refusedPageHost(NONE, hostOf('http://admin.localhost/'))).toBe(
      'admin.localhost is a loopback host name',
    );
    expect(refusedPageHost(NONE, hostOf('http://0/'))).toBe(
      '0.0.0.0 is an unspecified ("this network") address',
    );
  });

  it('passes public addresses, other host names and allowed hosts', () => {
    expect(refusedPageHost(NONE, 's3.amazonaws.com')).toBeUndefined();
    expect(refusedPageHost(NONE, 'localhost.example.com')).toBeUndefined();
    expect(refusedPageHost(NONE, '93.184.216.34')).toBeUndefined();
    expect(refusedPageHost(NONE, '[2606:4700:4700::1111]')).toBeUndefined();
    expect(refusedPageHost(allowList('10.0.0.0/8'), '10.2.3.4')).toBeUndefined();
    expect(refusedPageHost(allowList('localhost'), 'localhost')).toBeUndefined();
    expect(refusedPageHost(allowList('localhost'), 'admin.localhost')).toBe(
      'admin.localhost is a loopback host name',
    );
  });
});
