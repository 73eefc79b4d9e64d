import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { findFreePort } from '../../src/common/network/free-port.js';
import { eventually } from '../support/eventually.js';
import { probe } from '../support/http-probe.js';
import { openSse } from '../support/sse-client.js';
import { bearer, startTestApp, TestApp } from '../support/test-app.js';

const APP = 'router-logs';
const HOST = `${APP}.localhost`;
const BUFFER_LINES = 100;
const LINE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00 heroku\[router\]: /;

/**
 * The reference router as a process against the control plane: the request lines of an
 * app reach its log (`heroku logs`), read back through a log session like the CLI does,
 * and the router keeps serving, and keeps a bounded buffer, while the API is down.
 */
describe("the router's lines in the apps' logs", () => {
  let api: TestApp;
  let apiPort: number;
  let owner: { id: string; token: string };
  let upstream: http.Server;
  let router: ChildProcess;
  let routerPort: number;
  let stdout = '';
  let stderr = '';

  beforeAll(async () => {
    api = await startTestApp();
    apiPort = await api.listen();
    owner = await api.createUser('router-logs@example.com');
    await api
      .http()
      .post('/apps')
      .set(bearer(owner.token))
      .send({ name: APP, process_types: { web: 'node server.js' } })
      .expect(201);
    upstream = http.createServer((_request, response) => response.end('hello from web.1'));
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const address = `127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    expect((await api.reportDyno(APP, 'web.1', { state: 'up', address })).status).toBe(200);

    routerPort = await findFreePort();
    router = spawn(process.execPath, ['dist/router/main.js'], {
      env: {
        PATH: process.env.PATH,
        ROUTER_PORT: String(routerPort),
        ROUTER_HOST: '127.0.0.1',
        CONTROL_PLANE_URL: `http://127.0.0.1:${apiPort}`,
        ROUTER_TOKEN: await api.mintToken(['routing']),
        APPS_DOMAIN: 'localhost',
        ROUTER_LOG_BUFFER_LINES: String(BUFFER_LINES),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    router.stdout!.on('data', (chunk) => (stdout += chunk));
    router.stderr!.on('data', (chunk) => (stderr += chunk));
    await eventually(() => expect(stderr).toContain('state=listening'), 15_000);
  }, 60_000);

  afterAll(async () => {
    if (router && router.exitCode === null) {
      router.kill('SIGTERM');
      await once(router, 'exit');
    }
    upstream?.close();
    // Closed already when the last test failed while the API was down.
    await api?.close().catch(() => undefined);
  });

  /** The router's lines in the app's log, as `heroku logs --dyno router` reads them. */
  const routerLines = async (): Promise<string[]> => {
    const created = await api
      .http()
      .post(`/apps/${APP}/log-sessions`)
      .set(bearer(owner.token))
      .send({ dyno: 'router', lines: 1500 })
      .expect(201);
    const stream = await openSse(created.body.logplex_url, {});
    expect(stream.status).toBe(200);
    await stream.until(() => stream.ended);
    return stream.messages.map((message) => message.data);
  };
  /** The last line of a request id (a retried probe reuses its id). */
  const lineOf = (lines: string[], requestId: string) =>
    lines.filter((line) => line.includes(` request_id=${requestId} `)).at(-1);
  const untilLogged = (requestId: string) =>
    eventually(async () => {
      const line = lineOf(await routerLines(), requestId);
      expect(line).toBeDefined();
      return line!;
    }, 10_000);

  it("writes a proxied request to the app's log as heroku[router], as on stdout", async () => {
    // The dyno's answer carries no X-Request-Id: the client's own names the request.
    const requestId = 'proxied-request-1';
    await eventually(async () => {
      const got = await probe(routerPort, HOST, '/hello?x=1', { 'X-Request-Id': requestId });
      expect(got.status).toBe(200);
    }, 15_000);
    const line = await untilLogged(requestId);
    expect(line).toMatch(LINE);
    expect(line).toMatch(
      /heroku\[router\]: at=info method=GET path="\/hello\?x=1" host=router-logs\.localhost request_id=\S+ fwd="127\.0\.0\.1" dyno=web\.1 connect=\d+ms service=\d+ms status=200 bytes=16 protocol=http$/,
    );
    const printed = stdout.split('\n').find((each) => each.includes(` request_id=${requestId} `));
    expect(line.endsWith(printed!)).toBe(true);
  });

  it('writes H80 for a request to an app in maintenance', async () => {
    await api
      .http()
      .patch(`/apps/${APP}`)
      .set(bearer(owner.token))
      .send({ maintenance: true })
      .expect(200);
    const response = await eventually(async () => {
      const got = await probe(routerPort, HOST, '/checkout');
      expect(got.status).toBe(503);
      return got;
    });
    const line = await untilLogged(response.headers['x-request-id'] as string);
    expect(line).toMatch(
      /heroku\[router\]: at=error code=H80 desc="Maintenance mode" method=GET path="\/checkout" host=router-logs\.localhost request_id=\S+ fwd="127\.0\.0\.1" dyno= connect= service= status=503 bytes=\d+ protocol=http$/,
    );
  });

  it('keeps a request for no app on stdout only', async () => {
    const response = await probe(routerPort, 'nosuch.localhost', '/');
    expect(response.status).toBe(404);
    const requestId = response.headers['x-request-id'] as string;
    await eventually(() =>
      expect(stdout).toContain(`host=nosuch.localhost request_id=${requestId}`),
    );
    // Sent after it, a line of the app arrives: the shipper had its turn.
    const after = await probe(routerPort, HOST, '/after');
    await untilLogged(after.headers['x-request-id'] as string);
    const stored = await api.prisma.$queryRawUnsafe<{ count: bigint }[]>(
      `SELECT count(*) AS count FROM log_lines WHERE message LIKE '%nosuch.localhost%'`,
    );
    expect(Number(stored[0].count)).toBe(0);
  });

  it('serves on while the API is down, keeps the newest lines and delivers them once it is back', async () => {
    await api.close();
    const ids: string[] = [];
    for (let i = 0; i < BUFFER_LINES + 50; i++) {
      const response = await probe(routerPort, HOST, `/while-down/${i}`);
      expect(response.status).toBe(503);
      ids.push(response.headers['x-request-id'] as string);
    }
    await eventually(() => expect(stdout).toContain(`path="/while-down/${BUFFER_LINES + 49}"`));
    // 150 lines, room for 100: the 50 oldest are dropped, and said so on stderr.
    const dropped = () =>
      [...stderr.matchAll(/state=log-lines-dropped dropped=(\d+)/g)].reduce(
        (sum, match) => sum + Number(match[1]),
        0,
      );
    await eventually(() => expect(dropped()).toBe(50), 15_000);
    expect(stderr).toMatch(/at=error state=log-shipping-failed error="[^"]+" retry_in=\d+ms/);

    api = await startTestApp({}, { reset: false });
    await api.app.listen({ port: apiPort, host: '127.0.0.1' });
    const lines = await eventually(async () => {
      const got = await routerLines();
      expect(lineOf(got, ids.at(-1)!)).toBeDefined();
      return got;
    }, 30_000);
    for (const id of ids.slice(0, 50)) expect(lineOf(lines, id)).toBeUndefined();
    for (const id of ids.slice(50)) expect(lineOf(lines, id)).toBeDefined();
    const delivered = lines.filter((line) => line.includes('path="/while-down/'));
    expect(delivered.map((line) => /path="\/while-down\/(\d+)"/.exec(line)![1])).toEqual(
      Array.from({ length: BUFFER_LINES }, (_, i) => String(50 + i)),
    );
    expect(dropped()).toBe(50);
  }, 90_000);
});
