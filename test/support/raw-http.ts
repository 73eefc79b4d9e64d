import net from 'node:net';
import { ADMIN_TOKEN } from './test-app.js';

export interface RawResponse {
  status: number;
  /** Lowercased names. */
  headers: Record<string, string>;
  body: string;
}

export interface RawRequestOptions {
  /** Added to, or replacing, Host, Connection: close and the admin's Authorization. */
  headers?: Record<string, string>;
  /** Sent as it is, with Content-Type: application/json unless headers say otherwise. */
  body?: string | Buffer;
}

/**
 * A request built byte by byte, for what HTTP clients refuse to send or normalise:
 * malformed escapes, raw NUL and invalid UTF-8 in the path or body, oversized headers.
 */
export function rawRequest(
  method: string,
  path: string | Buffer,
  { headers = {}, body }: RawRequestOptions = {},
): Buffer {
  const payload = body === undefined ? undefined : Buffer.from(body);
  const all: Record<string, string> = {
    Host: 'localhost',
    Connection: 'close',
    Authorization: `Bearer ${ADMIN_TOKEN}`,
    ...(payload ? { 'Content-Type': 'application/json' } : {}),
    ...headers,
    ...(payload ? { 'Content-Length': String(payload.length) } : {}),
  };
  const head = Object.entries(all)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  return Buffer.concat([
    Buffer.from(`${method} `, 'latin1'),
    Buffer.from(path as string, 'latin1'),
    Buffer.from(` HTTP/1.1\r\n${head}\r\n`, 'latin1'),
    payload ?? Buffer.alloc(0),
  ]);
}

/** Writes the bytes to a new connection and reads the answer until the server closes it. */
export function sendRaw(port: number, bytes: Buffer): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let failure: Error | undefined;
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer within 10 s')));
    socket.on('data', (chunk) => chunks.push(chunk));
    // A server that answers and closes before reading everything may reset the connection.
    socket.on('error', (error) => (failure = error));
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      if (split === -1) {
        return reject(failure ?? new Error(`not an HTTP response: ${JSON.stringify(text)}`));
      }
      const [statusLine, ...lines] = text.slice(0, split).split('\r\n');
      const headers = Object.fromEntries(
        lines.map((line) => {
          const colon = line.indexOf(':');
          return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
        }),
      );
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: text.slice(split + 4) });
    });
    // Not end(): Node's server drops a request whose client half-closes before the answer.
    socket.write(bytes);
  });
}
