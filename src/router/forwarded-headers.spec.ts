import type { IncomingMessage } from 'node:http';
import {
  clientResponseHeaders,
  forwardedFor,
  requestIdOf,
  upstreamRequestHeaders,
} from './forwarded-headers.js';

const request = (headers: Record<string, string>, remoteAddress = '::ffff:127.0.0.1') =>
  ({ headers, socket: { remoteAddress } }) as unknown as IncomingMessage;

const info = {
  forwardedFor: '10.1.1.1, 127.0.0.1',
  proto: 'http',
  port: '8080',
  requestId: 'req-1',
  requestStart: '1700000000000',
};

describe('upstreamRequestHeaders', () => {
  it("keeps the client's headers and sets the router's own, dropping hop-by-hop headers", () => {
    const headers = upstreamRequestHeaders(
      [
        'Host',
        'myapp.localhost:8080',
        'Connection',
        'keep-alive, X-Secret',
        'X-Secret',
        'hop',
        'Keep-Alive',
        'timeout=5',
        'Transfer-Encoding',
        'chunked',
        'X-Forwarded-For',
        '10.1.1.1',
        'X-Forwarded-Proto',
        'https',
        'X-Request-Id',
        'spoofed',
        'Via',
        '1.1 cdn',
        'Cookie',
        'a=1',
        'Upgrade',
        'h2c',
      ],
      info,
    );
    expect(headers).toEqual([
      'Host',
      'myapp.localhost:8080',
      'Cookie',
      'a=1',
      'X-Forwarded-For',
      '10.1.1.1, 127.0.0.1',
      'X-Forwarded-Proto',
      'http',
      'X-Forwarded-Port',
      '8080',
      'X-Request-Id',
      'req-1',
      'X-Request-Start',
      '1700000000000',
      'Via',
      '1.1 cdn, 1.1 drydock-router',
    ]);
  });

  it('drops Expect, which the router answered itself, and any Host after the first', () => {
    expect(
      upstreamRequestHeaders(
        ['Host', 'myapp.localhost', 'Expect', '100-continue', 'host', 'other.example', 'A', 'b'],
        info,
      ).slice(0, 4),
    ).toEqual(['Host', 'myapp.localhost', 'A', 'b']);
  });
});

describe('clientResponseHeaders', () => {
  it('passes the response headers through, repeated ones included, without hop-by-hop ones', () => {
    expect(
      clientResponseHeaders([
        'Content-Type',
        'text/plain',
        'Set-Cookie',
        'a=1',
        'Set-Cookie',
        'b=2',
        'Connection',
        'keep-alive',
        'Keep-Alive',
        'timeout=5',
        'Transfer-Encoding',
        'chunked',
      ]),
    ).toEqual([
      'Content-Type',
      'text/plain',
      'Set-Cookie',
      'a=1',
      'Set-Cookie',
      'b=2',
      'Via',
      '1.1 drydock-router',
    ]);
  });
});

describe('request ids and forwarded-for', () => {
  it('keeps a sane X-Request-Id or Request-Id, otherwise makes a UUID', () => {
    expect(requestIdOf(request({ 'x-request-id': 'abc-123' }))).toBe('abc-123');
    expect(requestIdOf(request({ 'request-id': 'def.456' }))).toBe('def.456');
    expect(requestIdOf(request({ 'x-request-id': 'bad id"' }))).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestIdOf(request({ 'x-request-id': 'x'.repeat(201) }))).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestIdOf(request({}))).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('appends the client to the chain it sent, showing IPv4 plainly', () => {
    expect(forwardedFor(request({}))).toBe('127.0.0.1');
    expect(forwardedFor(request({ 'x-forwarded-for': '10.1.1.1' }, '192.0.2.7'))).toBe(
      '10.1.1.1, 192.0.2.7',
    );
  });
});
