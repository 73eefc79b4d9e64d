import { BlockList, isIP, isIPv4, isIPv6 } from 'node:net';

/**
 * Which addresses a maintenance page may come from. Routers fetch the page themselves and
 * serve it to anyone, so a page on a loopback, private or link-local address would publish
 * whatever answers there (an admin page, cloud metadata). Shared by the router (checked on
 * the address it connected to) and the API (checked on the URL as typed).
 */

export const MAINTENANCE_PAGE_ALLOWED_HOSTS = 'MAINTENANCE_PAGE_ALLOWED_HOSTS';

interface Range {
  block: BlockList;
  kind: string;
}

function ranges(family: 'ipv4' | 'ipv6', table: [string, number, string][]): Range[] {
  return table.map(([network, prefix, kind]) => {
    const block = new BlockList();
    block.addSubnet(network, prefix, family);
    return { block, kind };
  });
}

const PRIVATE = 'a private (RFC 1918) address';

/** Most specific first: 255.255.255.255 is named before the 240/4 it sits in. */
const IPV4 = ranges('ipv4', [
  ['0.0.0.0', 8, 'an unspecified ("this network") address'],
  ['10.0.0.0', 8, PRIVATE],
  ['100.64.0.0', 10, 'a shared (CGNAT) address'],
  ['127.0.0.0', 8, 'a loopback address'],
  ['169.254.0.0', 16, 'a link-local address'],
  ['172.16.0.0', 12, PRIVATE],
  ['192.0.0.0', 24, 'an IETF protocol assignment address'],
  ['192.168.0.0', 16, PRIVATE],
  ['198.18.0.0', 15, 'a benchmarking address'],
  ['224.0.0.0', 4, 'a multicast address'],
  ['255.255.255.255', 32, 'the broadcast address'],
  ['240.0.0.0', 4, 'a reserved address'],
]);

const IPV6 = ranges('ipv6', [
  ['::', 128, 'the unspecified address'],
  ['::1', 128, 'a loopback address'],
  ['fc00::', 7, 'a unique-local address'],
  ['fe80::', 10, 'a link-local address'],
  ['fec0::', 10, 'a site-local address'],
  ['ff00::', 8, 'a multicast address'],
  // RFC 8215: NAT64 for one network's own use; where it leads is that network's business.
  ['64:ff9b:1::', 48, 'a local-use NAT64 address'],
]);

/**
 * Why `address` (an IP address, IPv6 with or without a zone) is not a public address, as
 * "a loopback address"; undefined when it is public. An IPv6 form that embeds an IPv4
 * address (mapped, translated, compatible, NAT64, 6to4) is judged by the IPv4 address.
 */
export function nonPublicAddressKind(address: string): string | undefined {
  if (isIPv4(address)) return IPV4.find((range) => range.block.check(address, 'ipv4'))?.kind;
  const hextets = ipv6Hextets(address);
  if (!hextets) return 'not an IP address';
  const plain = hextets.map((h) => h.toString(16)).join(':');
  const own = IPV6.find((range) => range.block.check(plain, 'ipv6'));
  if (own) return own.kind;
  const embedded = embeddedIpv4(hextets);
  if (!embedded) return undefined;
  const kind = nonPublicAddressKind(embedded.ipv4);
  return kind && `${embedded.form} form of ${embedded.ipv4}, ${kind}`;
}

/** The eight 16-bit groups of an IPv6 address; undefined when it is not one. */
function ipv6Hextets(address: string): number[] | undefined {
  let text = address.toLowerCase().replace(/%.*$/, '');
  if (!isIPv6(text)) return undefined;
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const groups = (part: string | undefined) => (part ? part.split(':') : []);
  const before = groups(head);
  const after = groups(tail);
  const zeros = tail === undefined ? [] : new Array(8 - before.length - after.length).fill('0');
  return [...before, ...zeros, ...after].map((group) => parseInt(group, 16));
}

function embeddedIpv4(h: number[]): { form: string; ipv4: string } | undefined {
  const zero = (from: number, to: number) => h.slice(from, to).every((group) => group === 0);
  const ipv4 = (high: number, low: number) => `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  if (zero(0, 5) && h[5] === 0xffff) return { form: 'an IPv4-mapped', ipv4: ipv4(h[6], h[7]) };
  if (zero(0, 4) && h[4] === 0xffff && h[5] === 0)
    return { form: 'an IPv4-translated', ipv4: ipv4(h[6], h[7]) };
  if (zero(0, 6)) return { form: 'an IPv4-compatible', ipv4: ipv4(h[6], h[7]) };
  if (h[0] === 0x64 && h[1] === 0xff9b && zero(2, 6))
    return { form: 'a NAT64', ipv4: ipv4(h[6], h[7]) };
  if (h[0] === 0x2002) return { form: 'a 6to4', ipv4: ipv4(h[1], h[2]) };
  return undefined;
}

const HOST_NAME = /^(\*\.)?[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/;

/**
 * The operator's exceptions (MAINTENANCE_PAGE_ALLOWED_HOSTS, LOG_DRAIN_ALLOWED_HOSTS): host
 * names (`pages.internal`, `*.pages.internal` for its subdomains), IP addresses and CIDR
 * blocks that may be reached even though they are not public.
 */
export class PageHostAllowList {
  private readonly names = new Set<string>();
  private readonly suffixes: string[] = [];
  private readonly addresses = new BlockList();
  private empty = true;

  /** Comma-separated entries of `variable`; `problems` names each entry of none of the three forms. */
  static parse(
    raw: string | undefined,
    variable = MAINTENANCE_PAGE_ALLOWED_HOSTS,
  ): { allowList: PageHostAllowList; problems: string[] } {
    const allowList = new PageHostAllowList();
    const problems: string[] = [];
    for (const entry of (raw ?? '').split(',')) {
      const text = entry.trim().toLowerCase();
      if (text !== '' && !allowList.add(text)) {
        problems.push(
          `${variable}: "${entry.trim()}" is not a host name, an IP address or a CIDR block (such as pages.internal, *.pages.internal, 10.1.2.3, 10.0.0.0/8 or fd00::/8)`,
        );
      }
    }
    return { allowList, problems };
  }

  private add(entry: string): boolean {
    const [network, prefix, extra] = unbracket(entry).split('/');
    const family = isIP(network);
    if (family !== 0) {
      const type = family === 4 ? 'ipv4' : 'ipv6';
      const max = family === 4 ? 32 : 128;
      if (prefix === undefined) this.addresses.addAddress(network, type);
      else if (/^\d{1,3}$/.test(prefix) && Number(prefix) <= max && extra === undefined)
        this.addresses.addSubnet(network, Number(prefix), type);
      else return false;
    } else {
      const name = entry.replace(/\.$/, '');
      if (!HOST_NAME.test(name)) return false;
      if (name.startsWith('*.')) this.suffixes.push(name.slice(1));
      else this.names.add(name);
    }
    this.empty = false;
    return true;
  }

  /** Whether `host` (a URL's host name, any case, IPv6 in brackets or not) is allowed. */
  allowsHost(host: string): boolean {
    if (this.empty) return false;
    const name = unbracket(host.toLowerCase()).replace(/\.$/, '');
    if (isIP(name) !== 0) return this.allowsAddress(name);
    return this.names.has(name) || this.suffixes.some((suffix) => name.endsWith(suffix));
  }

  /** Whether `address` (an IP address) is allowed. */
  allowsAddress(address: string): boolean {
    if (this.empty) return false;
    const plain = address.replace(/%.*$/, '');
    const family = isIP(plain);
    return family !== 0 && this.addresses.check(plain, family === 4 ? 'ipv4' : 'ipv6');
  }
}

/**
 * Why the router must not use a connection to `address`, made for a URL naming `host`;
 * undefined when the address is public or the operator allowed the host or the address.
 */
export function refusedPageAddress(
  allowList: PageHostAllowList,
  host: string,
  address: string,
): string | undefined {
  const kind = nonPublicAddressKind(address);
  if (kind === undefined || allowList.allowsHost(host) || allowList.allowsAddress(address))
    return undefined;
  return `${address || 'the address'} is ${kind}`;
}

/**
 * Why a URL's host, as written, names a non-public address (an IP literal, `localhost` or a
 * `*.localhost` name); undefined otherwise or when allowed. Host names that resolve to such
 * addresses are the router's to catch: it checks the address it connects to.
 */
export function refusedPageHost(allowList: PageHostAllowList, host: string): string | undefined {
  const name = unbracket(host.toLowerCase()).replace(/\.$/, '');
  if (allowList.allowsHost(name)) return undefined;
  if (name === 'localhost' || name.endsWith('.localhost')) return `${name} is a loopback host name`;
  if (isIP(name) === 0) return undefined;
  const kind = nonPublicAddressKind(name);
  return kind && `${name} is ${kind}`;
}

function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
