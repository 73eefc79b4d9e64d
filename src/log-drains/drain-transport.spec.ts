import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PageHostAllowList } from '../common/network/address-policy.js';
import { ensureRendezvousCertificate } from '../dyno-manager/rendezvous/rendezvous-certificate.js';
import { DrainTransport, type DrainPost } from './drain-transport.js';

interface Seen {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A loopback server answering `status` (or never, for null) and keeping what it got. */
async function listen(
  status: number | null,
  tls?: { key: string; cert: string },
): Promise<{ port: number; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const handler: http.RequestListener = (request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      seen.push({ headers: request.headers, body });
      if (status !== null) response.writeHead(status).end();
    });
  };
  const server = tls ? https.createServer(tls, handler) : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const loopback = PageHostAllowList.parse('127.0.0.1', 'LOG_DRAIN_ALLOWED_HOSTS').allowList;
const nothing = PageHostAllowList.parse(undefined).allowList;
const post = (url: string, extra: Partial<DrainPost> = {}): DrainPost => ({
  url,
  token: 'd.01234567-89ab-cdef-0123-456789abcdef',
  frameId: '0123456789ABCDEF0123456789ABCDEF',
  body: '10 <190>1 x\n',
  count: 1,
  ...extra,
});

describe('DrainTransport', () => {
  const closing: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closing.splice(0)) await close();
  });
  const transport = (options: ConstructorParameters<typeof DrainTransport>[0]) => {
    const created = new DrainTransport(options);
    closing.push(() => created.close());
    return created;
  };

  it("POSTs over TLS with Logplex's headers and the URL's user-info as Basic auth", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'drain-tls-'));
    closing.push(() => rm(dir, { recursive: true, force: true }));
    const certificate = await ensureRendezvousCertificate(dir, ['127.0.0.1']);
    const server = await listen(204, certificate);
    closing.push(server.close);
    const drains = transport({
      allowList: loopback,
      ca: await readFile(certificate.caFile, 'utf8'),
    });

    const outcome = await drains.post(post(`https://me:s%3Acret@127.0.0.1:${server.port}/in?x=1`));
    expect(outcome).toEqual({ outcome: 'delivered', status: 204 });
    expect(server.seen).toHaveLength(1);
    expect(server.seen[0].body).toBe('10 <190>1 x\n');
    expect(server.seen[0].headers).toMatchObject({
      'content-type': 'application/logplex-1',
      'logplex-msg-count': '1',
      'logplex-frame-id': '0123456789ABCDEF0123456789ABCDEF',
      'logplex-drain-token': 'd.01234567-89ab-cdef-0123-456789abcdef',
      'user-agent': 'Logplex/drydock',
      authorization: `Basic ${Buffer.from('me:s:cret').toString('base64')}`,
    });
  });

  it('refuses, before sending a byte, a name that resolves to a loopback address', async () => {
    const server = await listen(200);
    closing.push(server.close);
    const outcome = await transport({ allowList: nothing }).post(
      post(`http://localhost:${server.port}/`),
    );
    expect(outcome).toMatchObject({ outcome: 'failed' });
    if (outcome.outcome === 'failed') {
      expect(outcome.reason).toMatch(
        /^(refused: (127\.0\.0\.1|::1) is a loopback address \(not in LOG_DRAIN_ALLOWED_HOSTS\)|could not connect \(ECONNREFUSED\))$/,
      );
    }
    expect(server.seen).toEqual([]);
  });

  it('tells taken, refused for good and to-be-retried answers apart, without the URL', async () => {
    const drains = transport({ allowList: loopback });
    for (const [status, expected] of [
      [200, { outcome: 'delivered', status: 200 }],
      [404, { outcome: 'refused', status: 404, reason: 'answered 404' }],
      [401, { outcome: 'refused', status: 401, reason: 'answered 401' }],
      [429, { outcome: 'failed', reason: 'answered 429' }],
      [503, { outcome: 'failed', reason: 'answered 503' }],
      [301, { outcome: 'failed', reason: 'answered 301' }],
    ] as const) {
      const server = await listen(status);
      closing.push(server.close);
      expect(await drains.post(post(`http://127.0.0.1:${server.port}/secret-path`))).toEqual(
        expected,
      );
    }
    const closed = await drains.post(post('http://127.0.0.1:9/secret-path?key=k'));
    expect(closed).toEqual({ outcome: 'failed', reason: 'could not connect (ECONNREFUSED)' });
  });

  it('gives up on a drain that does not answer in time, and stops when told to', async () => {
    const server = await listen(null);
    closing.push(server.close);
    const slow = transport({ allowList: loopback, timeoutMs: 200 });
    expect(await slow.post(post(`http://127.0.0.1:${server.port}/`))).toEqual({
      outcome: 'failed',
      reason: 'timed out after 200 ms',
    });
    const stopping = new AbortController();
    const pending = transport({ allowList: loopback }).post(
      post(`http://127.0.0.1:${server.port}/`, { signal: stopping.signal }),
    );
    stopping.abort();
    await expect(pending).rejects.toBeDefined();
  });
});
