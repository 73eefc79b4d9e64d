import { once } from 'node:events';
import http, { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually } from '../../../test/support/eventually.js';
import { findFreePort } from '../network/free-port.js';
import { Backoff } from './backoff.js';
import {
  LogLine,
  LogShipper,
  LogShipperLoss,
  LogShipperOptions,
  retryAfter,
  truncate,
} from './log-shipper.js';

const APP = '0b1f7a4e-0000-4000-8000-00000000000a';
const TOKEN = 'drydock_log_shipper_spec';

interface Received {
  authorization: string | undefined;
  contentType: string | undefined;
  bytes: number;
  lines: LogLine[];
  /** What it was answered; held requests count as accepted. */
  status: number;
}

type Answer = { status: number; headers?: Record<string, string> } | 'hold';

/** The ingest endpoint: records each batch and answers from a script (202 once it runs out). */
class FakeIngest {
  readonly batches: Received[] = [];
  readonly answers: Answer[] = [];
  private readonly held: ServerResponse[] = [];
  private server?: http.Server;

  async start(port = 0): Promise<string> {
    this.server = http.createServer((request, response) => void this.handle(request, response));
    this.server.listen(port, '127.0.0.1');
    await once(this.server, 'listening');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.release();
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }

  get messages(): string[] {
    return this.batches.flatMap((batch) => batch.lines.map((line) => line.message));
  }

  get waitingAnswers(): number {
    return this.held.length;
  }

  /** Answers every held request 202. */
  release(): void {
    for (const response of this.held.splice(0)) accept(response);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    if (request.method !== 'POST' || request.url !== '/logs/v1/lines') {
      response.writeHead(404).end();
      return;
    }
    this.batches.push({
      authorization: request.headers.authorization,
      contentType: request.headers['content-type'],
      bytes: body.length,
      lines: (JSON.parse(body.toString('utf8')) as { lines: LogLine[] }).lines,
      status: 202,
    });
    const answer = this.answers.shift();
    if (answer === 'hold') return void this.held.push(response);
    if (answer === undefined) return accept(response);
    this.batches.at(-1)!.status = answer.status;
    response.writeHead(answer.status, { 'Content-Type': 'application/json', ...answer.headers });
    response.end(JSON.stringify({ id: 'some_error', message: 'no' }));
  }
}

function accept(response: ServerResponse): void {
  response.writeHead(202, { 'Content-Type': 'application/json' });
  response.end(JSON.stringify({ accepted: 1, skipped: 0 }));
}

describe('LogShipper', () => {
  let ingest: FakeIngest;
  let baseUrl: string;
  let shipper: LogShipper | undefined;
  let losses: LogShipperLoss[];
  let retries: string[];

  beforeEach(async () => {
    ingest = new FakeIngest();
    baseUrl = await ingest.start();
    losses = [];
    retries = [];
  });
  afterEach(async () => {
    await shipper?.stop(0);
    shipper = undefined;
    await ingest.stop();
  });

  const ship = (options: Partial<LogShipperOptions> = {}) =>
    (shipper = new LogShipper({
      baseUrl,
      token: TOKEN,
      flushDelayMs: 60_000,
      reportIntervalMs: 0,
      backoff: new Backoff(1, 5),
      onLoss: (loss) => losses.push(loss),
      onRetry: (error) => retries.push(error),
      ...options,
    }));
  const pushMany = (target: LogShipper, from: number, to: number) => {
    for (let i = from; i < to; i++) target.push(APP, 'heroku', 'router', `line ${i}`);
  };
  const range = (from: number, to: number) =>
    Array.from({ length: to - from }, (_, i) => `line ${from + i}`);
  const totalLoss = () =>
    losses.reduce(
      (sum, loss) => ({
        dropped: sum.dropped + loss.dropped,
        refused: sum.refused + loss.refused,
        status: loss.status ?? sum.status,
      }),
      { dropped: 0, refused: 0, status: undefined as number | undefined },
    );

  it('sends 500 waiting lines as one batch with its token, and keeps fewer waiting', async () => {
    const logs = ship();
    logs.push(APP, 'app', 'web.1', 'listening on 5000');
    pushMany(logs, 1, 500);
    await eventually(() => expect(ingest.batches).toHaveLength(1));
    const [batch] = ingest.batches;
    expect(batch.authorization).toBe(`Bearer ${TOKEN}`);
    expect(batch.contentType).toBe('application/json');
    expect(batch.lines).toHaveLength(500);
    expect(batch.lines[0]).toEqual({
      app_id: APP,
      source: 'app',
      dyno: 'web.1',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      message: 'listening on 5000',
    });
    expect(batch.lines.slice(1).map((line) => line.message)).toEqual(range(1, 500));

    pushMany(logs, 500, 999);
    await eventually(() => expect(logs.waiting).toBe(499));
    expect(ingest.batches).toHaveLength(1);
    pushMany(logs, 999, 1000);
    await eventually(() => expect(ingest.batches).toHaveLength(2));
    expect(ingest.batches[1].lines.map((line) => line.message)).toEqual(range(500, 1000));
    expect(logs.stats()).toEqual({ pushed: 1000, sent: 1000, dropped: 0, refused: 0 });
  });

  it('sends fewer lines once the first of them has waited the flush delay', async () => {
    const logs = ship({ flushDelayMs: 20 });
    pushMany(logs, 0, 3);
    await eventually(() => expect(ingest.messages).toEqual(range(0, 3)));
    pushMany(logs, 3, 4);
    await eventually(() => expect(ingest.messages).toEqual(range(0, 4)));
    expect(ingest.batches.map((batch) => batch.lines.length)).toEqual([3, 1]);
  });

  it('never puts more than 1,000 lines or about 1 MiB in a batch', async () => {
    const logs = ship({ maxLines: 5000 });
    pushMany(logs, 0, 2500);
    await eventually(() => expect(ingest.messages).toHaveLength(2500));
    expect(ingest.batches.map((batch) => batch.lines.length)).toEqual([1000, 1000, 500]);
    expect(ingest.messages).toEqual(range(0, 2500));

    // 4.5 MB of lines: batches of about 1 MiB, one after the other, until none is left.
    const long = 'x'.repeat(9000);
    for (let i = 0; i < 500; i++) logs.push(APP, 'app', 'web.1', long);
    await eventually(() => expect(ingest.messages).toHaveLength(3000));
    const big = ingest.batches.slice(3);
    expect(big.length).toBeGreaterThan(1);
    for (const batch of big) expect(batch.bytes).toBeLessThanOrEqual(1024 * 1024);
    // Full, not cut early by a guess of their size: 4.5 MB in 5 batches.
    expect(big).toHaveLength(5);
  });

  it('cuts messages at 10,000 characters, keeps each on one line and without NUL', async () => {
    const logs = ship({ flushLines: 4 });
    logs.push(APP, 'app', 'web.1', 'y'.repeat(12_000));
    logs.push(APP, 'app', 'web.1', `${'z'.repeat(9999)}\u{1F600}`);
    logs.push(APP, 'app', 'web.1', 'one\r\ntwo\nthree');
    logs.push(APP, 'app', 'web.1', 'binary\0out');
    await eventually(() => expect(ingest.messages).toHaveLength(4));
    expect(ingest.messages[0]).toBe('y'.repeat(10_000));
    expect(ingest.messages[1]).toBe('z'.repeat(9999));
    expect(ingest.messages[2]).toBe('one  two three');
    expect(ingest.messages[3]).toBe('binary\uFFFDout');
  });

  it('drops the oldest lines beyond its buffer while the control plane is slow, and counts them', async () => {
    ingest.answers.push('hold');
    const logs = ship({ maxLines: 10, flushLines: 5 });
    pushMany(logs, 0, 5);
    await eventually(() => expect(ingest.waitingAnswers).toBe(1));
    pushMany(logs, 5, 20);
    expect(logs.waiting).toBe(10);
    await eventually(() => expect(totalLoss()).toMatchObject({ dropped: 5, refused: 0 }));

    ingest.release();
    await eventually(() => expect(ingest.messages).toEqual([...range(0, 5), ...range(10, 20)]));
    expect(logs.stats()).toEqual({ pushed: 20, sent: 15, dropped: 5, refused: 0 });
  });

  it('reports losses at most once per interval, with everything lost meanwhile', async () => {
    ingest.answers.push('hold');
    const logs = ship({ maxLines: 2, flushLines: 1, reportIntervalMs: 60_000 });
    pushMany(logs, 0, 1);
    await eventually(() => expect(ingest.waitingAnswers).toBe(1));
    pushMany(logs, 1, 4);
    await eventually(() => expect(losses).toEqual([{ dropped: 1, refused: 0 }]));
    pushMany(logs, 4, 10);
    expect(logs.stats().dropped).toBe(7);
    ingest.release();
    await logs.stop(1000);
    // The rest comes with the final report at stop, not before the interval.
    expect(losses).toEqual([
      { dropped: 1, refused: 0 },
      { dropped: 6, refused: 0 },
    ]);
  });

  it('keeps a batch answered 503 and sends it again after Retry-After', async () => {
    ingest.answers.push({ status: 503, headers: { 'Retry-After': '0' } });
    const logs = ship({ flushLines: 3, backoff: new Backoff(60_000, 60_000) });
    pushMany(logs, 0, 3);
    await eventually(() => expect(logs.stats().sent).toBe(3));
    expect(ingest.batches.map((batch) => batch.lines.map((line) => line.message))).toEqual([
      range(0, 3),
      range(0, 3),
    ]);
    expect(retries).toEqual(['the log ingest answered 503']);
    expect(losses).toEqual([]);
  });

  it('keeps a batch answered 500 or 429, and newer lines wait behind it', async () => {
    ingest.answers.push({ status: 500 }, { status: 429 });
    const logs = ship({ flushLines: 2, flushDelayMs: 20 });
    pushMany(logs, 0, 2);
    await eventually(() => expect(ingest.batches.length).toBeGreaterThan(0));
    pushMany(logs, 2, 3);
    await eventually(() => expect(logs.stats().sent).toBe(3));
    const delivered = ingest.batches.filter((batch) => batch.status === 202);
    expect(delivered.flatMap((batch) => batch.lines.map((line) => line.message))).toEqual(
      range(0, 3),
    );
    expect(ingest.batches.map((batch) => batch.status).slice(0, 2)).toEqual([500, 429]);
    expect(losses).toEqual([]);
  });

  it('keeps lines while nothing listens, and delivers them once the control plane is back', async () => {
    const port = await findFreePort();
    await ingest.stop();
    ingest = new FakeIngest();
    const logs = ship({ baseUrl: `http://127.0.0.1:${port}`, flushLines: 2 });
    pushMany(logs, 0, 4);
    await eventually(() => expect(retries.length).toBeGreaterThan(0));
    expect(retries[0]).toMatch(/ECONNREFUSED/);
    await ingest.start(port);
    await eventually(() => expect(ingest.messages).toEqual(range(0, 4)));
    expect(losses).toEqual([]);
  });

  it('drops a batch the API refuses (422), reports it, and goes on with the next', async () => {
    ingest.answers.push({ status: 422 });
    const logs = ship({ flushLines: 2 });
    pushMany(logs, 0, 2);
    await eventually(() => expect(ingest.batches).toHaveLength(1));
    pushMany(logs, 2, 4);
    await eventually(() => expect(ingest.batches).toHaveLength(2));
    expect(ingest.batches[1].lines.map((line) => line.message)).toEqual(range(2, 4));
    await eventually(() => expect(totalLoss()).toEqual({ dropped: 0, refused: 2, status: 422 }));
    expect(logs.stats()).toEqual({ pushed: 4, sent: 2, dropped: 0, refused: 2 });
    expect(retries).toEqual([]);
  });

  it('drops lines over its rate limit, and says how many with the next line that fits', async () => {
    let now = 1_000_000;
    const logs = ship({ linesPerSecond: 5, clock: () => now });
    pushMany(logs, 0, 8);
    now += 200;
    logs.push(APP, 'heroku', 'router', 'later');
    await logs.stop(5000);
    const messages = ingest.messages;
    expect(messages.slice(0, 5)).toEqual(range(0, 5));
    expect(messages[5]).toBe(
      'Error L12 (Local buffer overflow) -> 3 messages dropped since 1970-01-01T00:16:40.000+00:00: over 5 lines a second',
    );
    expect(messages.slice(6)).toEqual(['later']);
  });

  it('sends what waits when stopped, and ignores lines after', async () => {
    const logs = ship();
    pushMany(logs, 0, 3);
    expect(ingest.batches).toHaveLength(0);
    await logs.stop(2000);
    expect(ingest.messages).toEqual(range(0, 3));
    logs.push(APP, 'heroku', 'router', 'too late');
    expect(logs.waiting).toBe(0);
    expect(losses).toEqual([]);
  });

  it('counts what it could not send before its grace period ended as dropped', async () => {
    ingest.answers.push('hold');
    const logs = ship({ flushLines: 2 });
    pushMany(logs, 0, 3);
    await eventually(() => expect(ingest.waitingAnswers).toBe(1));
    await logs.stop(50);
    expect(losses).toEqual([{ dropped: 3, refused: 0 }]);
    expect(logs.stats()).toMatchObject({ sent: 0, dropped: 3 });
  });
});

describe('retryAfter', () => {
  it('reads seconds or an HTTP date', () => {
    const now = Date.parse('2026-12-01T18:00:00Z');
    expect(retryAfter('3', now)).toBe(3000);
    expect(retryAfter('Tue, 01 Dec 2026 18:00:05 GMT', now)).toBe(5000);
    expect(retryAfter('Tue, 01 Dec 2026 17:00:00 GMT', now)).toBe(0);
    expect(retryAfter(null, now)).toBeUndefined();
    expect(retryAfter('soon', now)).toBeUndefined();
  });
});

describe('truncate', () => {
  it('keeps the first 10,000 characters, never half a surrogate pair', () => {
    expect(truncate('a'.repeat(10_001))).toHaveLength(10_000);
    expect(truncate(`${'a'.repeat(9999)}\u{1F600}b`)).toBe('a'.repeat(9999));
  });
});
