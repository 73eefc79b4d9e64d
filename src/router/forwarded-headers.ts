import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Headers that describe one connection, not the message: never forwarded (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Set by the router itself: a client's own values would let it spoof them. */
const REPLACED_ON_REQUEST = new Set(['x-forwarded-proto', 'x-forwarded-port', 'x-request-id']);

/** The router's HTTP server has already answered `Expect: 100-continue` to the client. */
const ANSWERED_BY_ROUTER = 'expect';

export const VIA = '1.1 drydock-router';

/** A client's request id is kept when it is a sane token (as Heroku does); otherwise a new UUID. */
const SANE_REQUEST_ID = /^[A-Za-z0-9+/=._:-]{1,200}$/;

export function requestIdOf(request: IncomingMessage): string {
  const header = request.headers['x-request-id'] ?? request.headers['request-id'];
  const given = Array.isArray(header) ? header[0] : header;
  return given !== undefined && SANE_REQUEST_ID.test(given) ? given : randomUUID();
}

/** The client's address, IPv4 shown plainly even when the server listens on IPv6. */
export function clientAddress(request: IncomingMessage): string {
  const address = request.socket.remoteAddress ?? '';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/** The X-Forwarded-For chain the upstream gets: the client's chain with the client appended. */
export function forwardedFor(request: IncomingMessage): string {
  const given = request.headers['x-forwarded-for'];
  const client = clientAddress(request);
  return given ? `${given}, ${client}` : client;
}

export interface ForwardedRequestInfo {
  forwardedFor: string;
  proto: string;
  port: string;
  requestId: string;
  requestStart: string;
}

/**
 * The headers for the upstream request, in the client's order and spelling (flat
 * name/value list as `rawHeaders`), without hop-by-hop headers and with the router's own.
 */
export function upstreamRequestHeaders(rawHeaders: string[], info: ForwardedRequestInfo): string[] {
  const dropped = connectionTokens(rawHeaders);
  const headers: string[] = [];
  let via: string | undefined;
  let host = false;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i];
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || REPLACED_ON_REQUEST.has(lower) || lower === 'x-forwarded-for')
      continue;
    if (lower === ANSWERED_BY_ROUTER) continue;
    // The request was routed by its first Host; a second one must not reach the app.
    if (lower === 'host') {
      if (host) continue;
      host = true;
    }
    if (dropped !== undefined && dropped.has(lower)) continue;
    if (lower === 'via') {
      via = via === undefined ? rawHeaders[i + 1] : `${via}, ${rawHeaders[i + 1]}`;
      continue;
    }
    headers.push(name, rawHeaders[i + 1]);
  }
  headers.push(
    'X-Forwarded-For',
    info.forwardedFor,
    'X-Forwarded-Proto',
    info.proto,
    'X-Forwarded-Port',
    info.port,
    'X-Request-Id',
    info.requestId,
    'X-Request-Start',
    info.requestStart,
    'Via',
    via === undefined ? VIA : `${via}, ${VIA}`,
  );
  return headers;
}

/** The upstream's response headers for the client, without hop-by-hop headers, plus Via. */
export function clientResponseHeaders(rawHeaders: string[]): string[] {
  const dropped = connectionTokens(rawHeaders);
  const headers: string[] = [];
  let via: string | undefined;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i];
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower)) continue;
    if (dropped !== undefined && dropped.has(lower)) continue;
    if (lower === 'via') {
      via = via === undefined ? rawHeaders[i + 1] : `${via}, ${rawHeaders[i + 1]}`;
      continue;
    }
    headers.push(name, rawHeaders[i + 1]);
  }
  headers.push('Via', via === undefined ? VIA : `${via}, ${VIA}`);
  return headers;
}

/** Extra hop-by-hop headers named in `Connection` (e.g. `Connection: close, X-Secret`). */
function connectionTokens(rawHeaders: string[]): Set<string> | undefined {
  let tokens: Set<string> | undefined;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i].length !== 10 || rawHeaders[i].toLowerCase() !== 'connection') continue;
    for (const token of rawHeaders[i + 1].split(',')) {
      const name = token.trim().toLowerCase();
      if (name && name !== 'close' && name !== 'keep-alive') (tokens ??= new Set()).add(name);
    }
  }
  return tokens;
}

/** Whether a request carries a body that must be streamed (and so cannot be retried). */
export function hasRequestBody(request: IncomingMessage): boolean {
  const length = request.headers['content-length'];
  return (
    request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0')
  );
}
