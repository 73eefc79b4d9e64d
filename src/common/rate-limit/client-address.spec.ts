import type { IncomingMessage } from 'node:http';
import { addressKey, clientAddressOf } from './client-address.js';

const request = (peer: string, forwardedFor?: string) =>
  ({
    socket: { remoteAddress: peer },
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
  }) as unknown as IncomingMessage;

describe('clientAddressOf', () => {
  it('believes no X-Forwarded-For unless proxies are trusted', () => {
    const address = clientAddressOf(false);
    expect(address(request('203.0.113.5', '198.51.100.1'))).toBe('203.0.113.5');
  });

  it('takes the address a trusted proxy appended, not what the client wrote before it', () => {
    const address = clientAddressOf(['loopback', '10.0.0.0/8']);
    expect(address(request('127.0.0.1', '198.51.100.1'))).toBe('198.51.100.1');
    expect(address(request('127.0.0.1', '6.6.6.6, 198.51.100.1, 10.1.2.3'))).toBe('198.51.100.1');
    // A direct client is not a proxy, whatever it sends.
    expect(address(request('203.0.113.5', '6.6.6.6'))).toBe('203.0.113.5');
  });
});

describe('addressKey', () => {
  it('keeps IPv4 addresses, also IPv4-mapped ones', () => {
    expect(addressKey('203.0.113.5')).toBe('203.0.113.5');
    expect(addressKey('::ffff:127.0.0.1')).toBe('127.0.0.1');
  });

  it('counts an IPv6 client by its /64', () => {
    expect(addressKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0db8:0001:0002::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('64:ff9b::192.0.2.33')).toBe('64:ff9b:0:0::/64');
  });
});
