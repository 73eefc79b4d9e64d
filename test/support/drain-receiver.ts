import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One POST a drain received, with its frames taken apart. */
export interface DrainRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The syslog messages of the octet-counted frames, each without its trailing newline. */
  frames: string[];
  /** What the receiver answered; 0 while it holds the request without an answer. */
  status: number;
}

export interface DrainReceiver {
  /** `http://127.0.0.1:<port>` */
  base: string;
  requests: DrainRequest[];
  /** The frames of the requests it answered with a 2xx, in order. */
  accepted(): string[];
  /** The status for the next requests (200 unless set). */
  answer(status: number): void;
  /** Holds the next requests without an answer, until `answer` (for later ones) or `release`. */
  hang(): void;
  /** Answers the held requests whose client is still there with `status`; stops holding. */
  release(status: number): void;
  close(): Promise<void>;
}

/**
 * Takes an application/logplex-1 body apart: `<len> <message>` frames, each length counting
 * the bytes of its message; throws on a length that does not match, as a receiver would.
 */
export function parseFrames(body: Buffer): string[] {
  const frames: string[] = [];
  let at = 0;
  while (at < body.length) {
    const space = body.indexOf(0x20, at);
    const length = Number(body.subarray(at, space).toString());
    if (space < 0 || !Number.isInteger(length) || length <= 0)
      throw new Error(`malformed frame at byte ${at}`);
    const message = body.subarray(space + 1, space + 1 + length).toString();
    if (Buffer.byteLength(message) !== length || !message.endsWith('\n'))
      throw new Error(`frame at byte ${at} is not ${length} bytes ending in a newline`);
    frames.push(message.slice(0, -1));
    at = space + 1 + length;
  }
  return frames;
}

/** A log drain on loopback that keeps every POST it gets and answers what it is told to. */
export async function startDrainReceiver(): Promise<DrainReceiver> {
  const requests: DrainRequest[] = [];
  let status = 200;
  let hanging = false;
  const held: { request: DrainRequest; response: http.ServerResponse }[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const received: DrainRequest = {
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        body: body.toString(),
        frames: parseFrames(body),
        status: hanging ? 0 : status,
      };
      requests.push(received);
      if (hanging) held.push({ request: received, response });
      else response.writeHead(status, { 'Content-Length': '0' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    requests,
    accepted: () =>
      requests.filter((r) => r.status >= 200 && r.status < 300).flatMap((r) => r.frames),
    answer: (next) => {
      status = next;
      hanging = false;
    },
    hang: () => (hanging = true),
    release: (answer) => {
      hanging = false;
      for (const { request, response } of held.splice(0)) {
        // Its client went away (the replica died): nothing to answer.
        if (!response.socket || response.socket.destroyed) continue;
        request.status = answer;
        response.writeHead(answer, { 'Content-Length': '0' }).end();
      }
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
