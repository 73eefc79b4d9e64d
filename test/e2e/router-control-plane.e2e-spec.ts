import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { findFreePort } from '../../src/common/network/free-port.js';
import { eventually } from '../support/eventually.js';
import { probe } from '../support/http-probe.js';
import { bearer, startTestApp, TestApp } from '../support/test-app.js';

async function listen(
  handler: http.RequestListener,
): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

/**
 * The reference router (`npm run router`) against the real control plane: a running API
 * on PostgreSQL, a tiny upstream registered as the app's web dyno, and a page server for
 * MAINTENANCE_PAGE_URL.
 */
describe('the reference router against the control plane', () => {
  let t: TestApp;
  let owner: { id: string; token: string };
  let router: ChildProcess;
  let routerPort: number;
  let pagesPort: number;
  let routerOutput = '';
  const servers: http.Server[] = [];
  const HOST = 'edge-app.localhost';

  /** web.1's manager reports it up (at `address` the first time). */
  const reportWebUp = async (address?: string) =>
    expect(
      (await t.reportDyno('edge-app', 'web.1', { state: 'up', ...(address && { address }) }))
        .status,
    ).toBe(200);

  beforeAll(async () => {
    // The page server is on loopback: both the API and the router must allow it.
    t = await startTestApp({ MAINTENANCE_PAGE_ALLOWED_HOSTS: '127.0.0.1' });
    const apiPort = await t.listen();
    owner = await t.createUser('edge@example.com');
    await t
      .http()
      .post('/apps')
      .set(bearer(owner.token))
      .send({ name: 'edge-app', process_types: { web: 'node server.js' } })
      .expect(201);

    const upstream = await listen((request, response) => {
      response.writeHead(200, { 'Content-Type': 'text/plain', 'X-Upstream': 'web.1' });
      response.end(`hello from web.1 ${request.method} ${request.url}`);
    });
    const pages = await listen((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'text/html' });
      response.end('<html><body>Custom maintenance page of edge-app</body></html>');
    });
    servers.push(upstream.server, pages.server);
    await reportWebUp(`127.0.0.1:${upstream.port}`);
    await t
      .http()
      .patch('/apps/edge-app/config-vars')
      .set(bearer(owner.token))
      .send({ UNRELATED: 'x' })
      .expect(200);
    // The config change restarted the dyno; its manager reports it up again.
    await reportWebUp();

    const routerToken = await t.mintToken(['routing']);
    routerPort = await findFreePort();
    router = spawn(process.execPath, ['dist/router/main.js'], {
      env: {
        ...process.env,
        ROUTER_PORT: String(routerPort),
        ROUTER_HOST: '127.0.0.1',
        CONTROL_PLANE_URL: `http://127.0.0.1:${apiPort}`,
        ROUTER_TOKEN: routerToken,
        APPS_DOMAIN: 'localhost',
        MAINTENANCE_PAGE_ALLOWED_HOSTS: '127.0.0.1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    router.stdout!.on('data', (chunk) => (routerOutput += chunk));
    router.stderr!.on('data', (chunk) => (routerOutput += chunk));
    pagesPort = pages.port;
  }, 60_000);

  afterAll(async () => {
    if (router && router.exitCode === null) {
      router.kill('SIGTERM');
      await once(router, 'exit');
    }
    for (const server of servers) server.close();
    await t.close();
  });

  const h80Lines = () => routerOutput.split('\n').filter((line) => line.includes('code=H80'));

  it('proxies to the web dyno while maintenance is off', async () => {
    const response = await eventually(async () => {
      const got = await probe(routerPort, HOST, '/orders?page=2');
      expect(got.status).toBe(200);
      return got;
    }, 15_000);
    expect(response.body).toBe('hello from web.1 GET /orders?page=2');
    expect(response.headers['x-upstream']).toBe('web.1');
  });

  it('serves the built-in maintenance page with 503, Retry-After and one H80 line once maintenance is on', async () => {
    await t
      .http()
      .patch('/apps/edge-app')
      .set(bearer(owner.token))
      .send({ maintenance: true })
      .expect(200);
    const before = h80Lines().length;
    const response = await eventually(async () => {
      const got = await probe(routerPort, HOST, '/checkout');
      expect(got.status).toBe(503);
      return got;
    });
    expect(response.headers['retry-after']).toMatch(/^\d+$/);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.body.toLowerCase()).toContain('maintenance');
    await eventually(() => expect(h80Lines().length).toBe(before + 1));
    expect(h80Lines().at(-1)).toMatch(
      /at=error code=H80 desc="Maintenance mode" method=GET path="\/checkout" host=edge-app\.localhost request_id=\S+ fwd="127\.0\.0\.1" dyno= connect= service= status=503 bytes=\d+/,
    );
  });

  it('serves the custom page from MAINTENANCE_PAGE_URL', async () => {
    await t
      .http()
      .patch('/apps/edge-app/config-vars')
      .set(bearer(owner.token))
      .send({ MAINTENANCE_PAGE_URL: `http://127.0.0.1:${pagesPort}/page.html` })
      .expect(200);
    await eventually(async () => {
      const got = await probe(routerPort, HOST, '/');
      expect(got.status).toBe(503);
      expect(got.body).toContain('Custom maintenance page of edge-app');
    });
  });

  it('proxies again within one second of maintenance:off', async () => {
    // The config change above restarted the dyno on its new release; it comes back up.
    await reportWebUp();
    await t
      .http()
      .patch('/apps/edge-app')
      .set(bearer(owner.token))
      .send({ maintenance: false })
      .expect(200);
    const switched = Date.now();
    await eventually(
      async () => expect((await probe(routerPort, HOST, '/')).status).toBe(200),
      1000,
      10,
    );
    expect(Date.now() - switched).toBeLessThan(1000);
  });

  it('answers H14 when the app has no web dynos', async () => {
    await t
      .http()
      .patch('/apps/edge-app/formation')
      .set(bearer(owner.token))
      .send({ updates: [{ type: 'web', quantity: 0 }] })
      .expect(200);
    const response = await eventually(async () => {
      const got = await probe(routerPort, HOST, '/');
      expect(got.status).toBe(503);
      return got;
    });
    expect(response.body.toLowerCase()).not.toContain('maintenance');
    await eventually(() =>
      expect(routerOutput).toMatch(
        /code=H14 desc="No web dynos running".*host=edge-app\.localhost/,
      ),
    );
  });

  it('answers 404 for a host it does not know', async () => {
    expect((await probe(routerPort, 'nobody.localhost', '/')).status).toBe(404);
  });
});
