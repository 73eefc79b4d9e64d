import proxyAddr from '@fastify/proxy-addr';
import type { IncomingMessage } from 'node:http';
import { isIPv6 } from 'node:net';

export type ClientAddress = (request: IncomingMessage) => string;

/**
 * Who sent a request: the socket's peer, or, behind proxies listed in TRUST_PROXY, the
 * address the nearest of them reports (X-Forwarded-For read from the right, stopping at the
 * first address not trusted, so what a client writes there itself is never believed).
 */
export function clientAddressOf(trustProxy: string[] | false): ClientAddress {
  if (!trustProxy) return (request) => request.socket.remoteAddress ?? '';
  const trusted = proxyAddr.compile(trustProxy);
  return (request) => proxyAddr(request, trusted);
}

/**
 * The client an address stands for, as limits and logs count it: IPv4 as it is (also when
 * IPv4-mapped), IPv6 by its /64, which one host owns whole.
 */
export function addressKey(address: string): string {
  const plain = address.split('%', 1)[0];
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(plain);
  if (mapped) return mapped[1];
  if (!isIPv6(plain)) return plain;
  const groups = ipv6Groups(plain);
  return `${groups.slice(0, 4).join(':')}::/64`;
}

/** The eight groups of an IPv6 address, without leading zeros. */
function ipv6Groups(address: string): string[] {
  const [head, tail] = address.includes('::') ? address.split('::') : [address, undefined];
  const part = (text: string | undefined) => (text ? text.split(':').flatMap(embeddedIPv4) : []);
  const front = part(head);
  const back = part(tail);
  const middle = Array<string>(8 - front.length - back.length).fill('0');
  return [...front, ...middle, ...back].map((group) => group.replace(/^0+(?=.)/, '').toLowerCase());
}

/** A trailing dotted IPv4 part ("::ffff:1.2.3.4") is two groups. */
function embeddedIPv4(group: string): string[] {
  if (!group.includes('.')) return [group];
  const [a, b, c, d] = group.split('.').map(Number);
  return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
}
