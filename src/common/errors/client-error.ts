import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { Socket } from 'node:net';
import {
  ApiError,
  BadRequestError,
  HeaderFieldsTooLargeError,
  PayloadTooLargeError,
  RequestTimeoutError,
} from './api-errors.js';
import { toHerokuError } from './heroku-error.js';

/** What Node's HTTP parser refused, by its error code, before there was a request to route. */
export function clientErrorFor(code: string | undefined): ApiError {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      // Node's parser counts the request line with the headers and has no separate URI limit.
      return new HeaderFieldsTooLargeError(
        `The request line and headers together exceed ${http.maxHeaderSize} bytes.`,
      );
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return new PayloadTooLargeError('The chunk extensions of the request body are too large.');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new RequestTimeoutError();
    default:
      return new BadRequestError('The request is not valid HTTP/1.1.');
  }
}

/** The whole raw HTTP response for a client error, in Heroku's shape; the connection closes. */
export function clientErrorResponse(error: ApiError, requestId: string): string {
  const { status, body } = toHerokuError(error);
  const json = JSON.stringify(body);
  return (
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\n` +
    'Content-Type: application/json; charset=utf-8\r\n' +
    `Content-Length: ${Buffer.byteLength(json)}\r\n` +
    `Request-Id: ${requestId}\r\n` +
    'Connection: close\r\n\r\n' +
    json
  );
}

/**
 * The HTTP server's `clientError` handler (Fastify's `clientErrorHandler`): Node's parser
 * rejected the bytes (over-long headers, a NUL or a bad byte in the request line, a timeout).
 * As Node's own handler, it answers only when no response is under way on the socket.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  const inFlight = (socket as Socket & { _httpMessage?: http.ServerResponse })._httpMessage;
  if (error.code !== 'ECONNRESET' && socket.writable && !inFlight?.headersSent) {
    socket.write(clientErrorResponse(clientErrorFor(error.code), randomUUID()));
  }
  socket.destroy();
}
