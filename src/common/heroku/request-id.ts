import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** A client's Request-Id is echoed when it is a sane token; otherwise a new UUID. */
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,200}$/;

export function requestIdFor(request: IncomingMessage): string {
  const header = request.headers['request-id'] ?? request.headers['x-request-id'];
  const given = Array.isArray(header) ? header[0] : header;
  return given && CLIENT_REQUEST_ID.test(given) ? given : randomUUID();
}
