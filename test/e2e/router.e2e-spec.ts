import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import http, { IncomingMessage, ServerResponse } from 'node:http';
import { findFreePort } from '../../src/common/network/free-port.js';
import type { RoutingEntry } from '../../src/router/routing-table.js';

const TOKEN = 'drydock_router_e2e_token_0123456789';
const RETRY_AFTER = '120';

interface Change {
  version: number;
  action: string;
  app_id: string;
  app_name: string;
  routing: RoutingEntry | null;
}

/**
 * The control plane's routing API as the router sees it: the snapshot and an SSE watch we
 * push changes into. It can forget its history (so old versions get 410) and go down.
 */
class FakeControlPlane {
  version = 100;
  snapshots = 0;
  readonly watchRequests: { since: string | null; lastEventId: string | undefined }[] = [];
  private readonly apps = new Map<string, RoutingEntry>();
  private history: Change[] = [];
  private oldestRetained = 0;
  private readonly watchers = new Set<ServerResponse>();
  private server?: http.Server;
  port = 0;

  constructor(apps: RoutingEntry[]) {
    for (const app of apps) this.apps.set(app.id, app);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get watching(): number {
    return this.watchers.size;
  }

  async start(): Promise<void> {
    this.port ||= await findFreePort();
    this.server = http.createServer((request, response) => this.handle(request, response));
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    this.dropWatchers();
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise((resolve) => {
      server.close(resolve);
      server.closeAllConnections();
    });
  }

  /** Upserts an app and streams the change to every watcher. */
  set(app: RoutingEntry, action = 'app.update'): number {
    this.apps.set(app.id, app);
    return this.record({ action, app_id: app.id, app_name: app.name, routing: app });
  }

  remove(app: RoutingEntry): number {
    this.apps.delete(app.id);
    return this.record({
      action: 'app.destroy',
      app_id: app.id,
      app_name: app.name,
      routing: null,
    });
  }

  /** Closes the watch streams, as a restarting API replica or a flaky network would. */
  dropWatchers(): void {
    for (const watcher of this.watchers) watcher.destroy();
    this.watchers.clear();
  }

  /** Versions before the current one are gone: a watcher resuming from them must re-list. */
  forgetHistory(): void {
    this.history = [];
    this.oldestRetained = this.version;
  }

  private record(change: Omit<Change, 'version'>): number {
    const full = { version: ++this.version, ...change };
    this.history.push(full);
    for (const watcher of this.watchers) watcher.write(frame(full));
    return full.version;
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', 'http://cp');
    if (request.headers.authorization !== `Bearer ${TOKEN}`) {
      response.writeHead(401, { 'Content-Type': 'application/json' });
      response.end(
        JSON.stringify({ id: 'unauthorized', message: 'Invalid credentials provided.' }),
      );
      return;
    }
    if (url.pathname === '/routing/v1/snapshot') {
      this.snapshots++;
      response.writeHead(200, { 'Content-Type': 'application/json', ETag: `"${this.version}"` });
      response.end(JSON.stringify({ version: this.version, apps: [...this.apps.values()] }));
      return;
    }
    if (url.pathname === '/routing/v1/watch') {
      const lastEventId = request.headers['last-event-id'] as string | undefined;
      const since = url.searchParams.get('since');
      this.watchRequests.push({ since, lastEventId });
      const from = Number(since ?? lastEventId ?? 0);
      if (from < this.oldestRetained) {
        response.writeHead(410, { 'Content-Type': 'application/json' });
        response.end(
          JSON.stringify({ id: 'gone', message: `version ${from} is no longer retained` }),
        );
        return;
      }
      response.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
      response.write('retry: 1000\n\n: heartbeat\n\n');
      for (const change of this.history) if (change.version > from) response.write(frame(change));
      this.watchers.add(response);
      response.on('close', () => this.watchers.delete(response));
      return;
    }
    response.writeHead(404).end();
  }
}

function frame(change: Change): string {
  return `id: ${change.version}\nevent: change\ndata: ${JSON.stringify(change)}\n\n`;
}

interface Upstream {
  server: http.Server;
  port: number;
  hits: number;
}

/** A web dyno: echoes what it received as JSON; `/slow` never answers, `/reset` hangs up. */
async function startDyno(name: string): Promise<Upstream> {
  const upstream: Upstream = { server: http.createServer(), port: await findFreePort(), hits: 0 };
  upstream.server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    upstream.hits++;
    if (request.url === '/slow') return;
    if (request.url === '/reset') return void request.socket.destroy();
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      response.writeHead(200, [
        'Content-Type',
        'application/json',
        'X-Upstream',
        name,
        'Set-Cookie',
        'a=1',
        'Set-Cookie',
        'b=2',
      ]);
      response.end(
        JSON.stringify({
          dyno: name,
          method: request.method,
          url: request.url,
          headers: request.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
  });
  await new Promise<void>((resolve) => upstream.server.listen(upstream.port, '127.0.0.1', resolve));
  return upstream;
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('the reference router', () => {
  const PAGE = '<!doctype html><title>Custom</title><h1>We are upgrading the rockets</h1>';
  let cp: FakeControlPlane;
  let web1: Upstream;
  let web2: Upstream;
  let pageServer: http.Server;
  let pagePort: number;
  let pageHits = 0;
  const pagePaths: string[] = [];
  let router: ChildProcess;
  let routerPort: number;
  let stdout = '';
  let stderr = '';
  let myapp: RoutingEntry;
  let custom: RoutingEntry;
  let zero: RoutingEntry;
  let rocket: RoutingEntry;
  let broken: RoutingEntry;

  const send = (
    host: string,
    path = '/',
    options: { method?: string; headers?: Record<string, string>; body?: string } = {},
  ): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const outgoing = http.request(
        {
          host: '127.0.0.1',
          port: routerPort,
          path,
          method: options.method ?? 'GET',
          headers: { Host: `${host}:${routerPort}`, ...options.headers },
          agent: false,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({
              status: response.statusCode!,
              headers: response.headers,
              body: Buffer.concat(chunks).toString(),
            }),
          );
        },
      );
      outgoing.on('error', reject);
      outgoing.end(options.body);
    });

  /** The one access-log line of a request, waiting until it is written. */
  const logLines = (requestId: string) =>
    stdout.split('\n').filter((line) => line.includes(` request_id=${requestId} `));
  const logLine = (requestId: string) =>
    waitFor(() => logLines(requestId)[0], `the log line of ${requestId}`);

  const statusOf = async (host: string) => (await send(host)).status;

  beforeAll(async () => {
    [web1, web2] = await Promise.all([startDyno('web.1'), startDyno('web.2')]);
    pagePort = await findFreePort();
    // An operator's page server inside the network (allowed), which also has things to hide.
    pageServer = http.createServer((request, response) => {
      const path = (request.url ?? '/').split('?')[0];
      pagePaths.push(path);
      if (path === '/docs-json') {
        response.writeHead(200, { 'Content-Type': 'application/json' });
        return void response.end('{"openapi":"3.0.0"}');
      }
      if (path === '/to-metadata') {
        response.writeHead(302, {
          Location: 'http://169.254.169.254/latest/meta-data/iam?X-Amz-Signature=s3cret',
        });
        return void response.end();
      }
      pageHits++;
      response.writeHead(200, { 'Content-Type': 'text/html' });
      response.end(PAGE);
    });
    await new Promise<void>((resolve) => pageServer.listen(pagePort, '127.0.0.1', resolve));
    const deadPort = await findFreePort();

    const app = (
      id: string,
      name: string,
      overrides: Partial<RoutingEntry> = {},
    ): RoutingEntry => ({
      id,
      name,
      hosts: [`${name}.localhost`],
      maintenance: false,
      maintenance_ends_at: null,
      maintenance_page_url: null,
      web: { quantity: 1, size: 'Standard-1X' },
      space: null,
      private_space: false,
      web_dynos: [{ name: 'web.1', address: `127.0.0.1:${web1.port}` }],
      ...overrides,
    });
    myapp = app('0b1f7a4e-0000-4000-8000-000000000001', 'myapp', {
      web: { quantity: 2, size: 'Standard-1X' },
      web_dynos: [
        { name: 'web.1', address: `127.0.0.1:${web1.port}` },
        { name: 'web.2', address: `127.0.0.1:${web2.port}` },
      ],
    });
    custom = app('0b1f7a4e-0000-4000-8000-000000000002', 'custom', {
      maintenance: true,
      maintenance_page_url: `http://127.0.0.1:${pagePort}/page.html`,
    });
    zero = app('0b1f7a4e-0000-4000-8000-000000000003', 'zero', {
      web: { quantity: 0, size: null },
      web_dynos: [],
    });
    rocket = app('0b1f7a4e-0000-4000-8000-000000000004', 'rocket', {
      maintenance: true,
      space: { name: 'nasa', shield: false },
      private_space: true,
      web: { quantity: 0, size: null },
      web_dynos: [],
    });
    broken = app('0b1f7a4e-0000-4000-8000-000000000005', 'broken', {
      web_dynos: [{ name: 'web.1', address: `127.0.0.1:${deadPort}` }],
    });
    cp = new FakeControlPlane([myapp, custom, zero, rocket, broken]);
    await cp.start();

    routerPort = await findFreePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ROUTER_PORT: String(routerPort),
      ROUTER_HOST: '127.0.0.1',
      CONTROL_PLANE_URL: cp.url,
      ROUTER_TOKEN: TOKEN,
      APPS_DOMAIN: 'localhost',
      MAINTENANCE_RETRY_AFTER: RETRY_AFTER,
      ROUTER_REQUEST_TIMEOUT_SECONDS: '1',
      MAINTENANCE_PAGE_ALLOWED_HOSTS: '127.0.0.1',
    };
    delete env.DRYDOCK_ADMIN_TOKEN;
    router = spawn(process.execPath, ['dist/router/main.js'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    router.stdout!.on('data', (chunk) => (stdout += chunk));
    router.stderr!.on('data', (chunk) => (stderr += chunk));
    await waitFor(
      async () => {
        if (router.exitCode !== null) throw new Error(`router exited early:\n${stderr}`);
        return stderr.includes('state=listening') && cp.watching === 1;
      },
      'the router to listen and watch',
      10_000,
    );
  }, 20_000);

  afterAll(async () => {
    if (router.exitCode === null) router.kill('SIGKILL');
    await Promise.all(
      [web1.server, web2.server, pageServer].map(
        (server) => new Promise((resolve) => server.close(resolve)),
      ),
    );
    await cp.stop();
  });

  it('refuses to start without a token, naming the variables', async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      CONTROL_PLANE_URL: cp.url,
      DATA_DIR: '/nonexistent-drydock-router',
      DRYDOCK_ADMIN_TOKEN: 'f3a1c9e07b5d2468ace13579bdf02468ace13579',
    };
    delete env.ROUTER_TOKEN;
    const child = spawn(process.execPath, ['dist/router/main.js'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stderr!.on('data', (chunk) => (output += chunk));
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(output).toContain(
      'ROUTER_TOKEN is required (a token with the routing scope), or /nonexistent-drydock-router/router-token',
    );
  });

  it('took the snapshot with its token and watches from its version', () => {
    expect(cp.snapshots).toBe(1);
    expect(cp.watchRequests).toEqual([{ since: '100', lastEventId: '100' }]);
    expect(stderr).toContain('state=snapshot version=100 apps=5');
    expect(stdout + stderr).not.toContain(TOKEN);
  });

  it('proxies to the web dynos round-robin, passing bodies and headers both ways', async () => {
    const reply = await send('MyApp.localhost', '/hello?x=1', {
      headers: { 'X-Request-Id': 'e2e-proxy-1' },
    });
    expect(reply.status).toBe(200);
    expect(reply.headers['x-upstream']).toMatch(/^web\.[12]$/);
    expect(reply.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(reply.headers.via).toBe('1.1 drydock-router');
    const seen = JSON.parse(reply.body);
    expect(seen).toMatchObject({ method: 'GET', url: '/hello?x=1' });
    expect(seen.headers).toMatchObject({
      host: `MyApp.localhost:${routerPort}`,
      'x-forwarded-for': '127.0.0.1',
      'x-forwarded-proto': 'http',
      'x-forwarded-port': String(routerPort),
      'x-request-id': 'e2e-proxy-1',
      via: '1.1 drydock-router',
    });
    expect(await logLine('e2e-proxy-1')).toMatch(
      new RegExp(
        `^at=info method=GET path="/hello\\?x=1" host=myapp\\.localhost request_id=e2e-proxy-1 fwd="127\\.0\\.0\\.1" ` +
          `dyno=${seen.dyno.replace('.', '\\.')} connect=\\d+ms service=\\d+ms status=200 bytes=${reply.body.length} protocol=http$`,
      ),
    );

    const next = await send('myapp.localhost', '/');
    expect(JSON.parse(next.body).dyno).not.toBe(seen.dyno);

    const upload = 'x'.repeat(256 * 1024);
    const posted = await send('myapp.localhost', '/upload', {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain', 'X-Forwarded-For': '203.0.113.9' },
      body: upload,
    });
    expect(posted.status).toBe(200);
    const echoed = JSON.parse(posted.body);
    expect(echoed.body).toBe(upload);
    expect(echoed.headers['x-forwarded-for']).toBe('203.0.113.9, 127.0.0.1');

    // The router answers `Expect: 100-continue` itself; the app gets the body, not the header.
    const continued = await send('myapp.localhost', '/upload', {
      method: 'PUT',
      headers: { 'Content-Type': 'text/plain', Expect: '100-continue' },
      body: 'after continue',
    });
    expect(continued.status).toBe(200);
    const sent = JSON.parse(continued.body);
    expect(sent.body).toBe('after continue');
    expect(sent.headers).not.toHaveProperty('expect');
  });

  it('serves the default maintenance page with Retry-After and one H80 line, and no dyno sees the request', async () => {
    cp.set({ ...myapp, maintenance: true }, 'maintenance.enable');
    await waitFor(
      async () => (await statusOf('myapp.localhost')) === 503,
      'maintenance to apply',
      1000,
    );
    const hits = web1.hits + web2.hits;

    const reply = await send('myapp.localhost', '/', { headers: { 'X-Request-Id': 'e2e-h80' } });
    expect(reply.status).toBe(503);
    expect(reply.headers).toMatchObject({
      'retry-after': RETRY_AFTER,
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-length': String(Buffer.byteLength(reply.body)),
    });
    expect(reply.body).toContain('Down for maintenance');
    expect(reply.body).toContain('<span class="app">myapp</span>');
    expect(reply.body).not.toMatch(/(src|href)=/);
    expect(await logLine('e2e-h80')).toBe(
      `at=error code=H80 desc="Maintenance mode" method=GET path="/" host=myapp.localhost request_id=e2e-h80 ` +
        `fwd="127.0.0.1" dyno= connect= service= status=503 bytes=${Buffer.byteLength(reply.body)} protocol=http`,
    );
    expect(logLines('e2e-h80')).toHaveLength(1);
    expect(web1.hits + web2.hits).toBe(hits);
  });

  it("serves the app's custom page from MAINTENANCE_PAGE_URL, fetched once", async () => {
    const replies = [];
    for (let i = 0; i < 3; i++)
      replies.push(
        await send('custom.localhost', '/', { headers: { 'X-Request-Id': `e2e-custom-${i}` } }),
      );
    for (const reply of replies) {
      expect(reply.status).toBe(503);
      expect(reply.body).toBe(PAGE);
      expect(reply.headers['retry-after']).toBe(RETRY_AFTER);
      // The page server's own Content-Type.
      expect(reply.headers['content-type']).toBe('text/html');
    }
    expect(pageHits).toBe(1);
    expect(await logLine('e2e-custom-2')).toContain(`code=H80 desc="Maintenance mode"`);
    expect(await logLine('e2e-custom-2')).toContain(`bytes=${PAGE.length} `);
  });

  it('refuses pages on the local network, on any redirect hop, and non-HTML ones, serving the default page and logging no URL secrets', async () => {
    const pages = {
      metadata: 'http://169.254.169.254/latest/meta-data/?token=s3cret',
      hop: `http://user:hunter2@127.0.0.1:${pagePort}/to-metadata?sig=s3cret#frag`,
      json: `http://127.0.0.1:${pagePort}/docs-json`,
    };
    const failed = (url: string, error: string) =>
      `at=error state=maintenance-page-failed url=${url} error="${error}"\n`;
    const refusedMetadata =
      'refused: 169.254.169.254 is a link-local address (not in MAINTENANCE_PAGE_ALLOWED_HOSTS)';
    const expected = [
      failed('http://169.254.169.254/latest/meta-data/', refusedMetadata),
      failed(
        `http://127.0.0.1:${pagePort}/to-metadata`,
        `redirected to http://169.254.169.254/latest/meta-data/iam: ${refusedMetadata}`,
      ),
      failed(`http://127.0.0.1:${pagePort}/docs-json`, 'is application/json, not text/html'),
    ];
    const created: RoutingEntry[] = [];
    let n = 0x10;
    for (const [name, url] of Object.entries(pages)) {
      const entry = {
        ...custom,
        id: `0b1f7a4e-0000-4000-8000-0000000000${(n++).toString(16)}`,
        name,
        hosts: [],
        maintenance_page_url: url,
      };
      cp.set(entry, 'app.create');
      created.push(entry);
      await waitFor(async () => (await statusOf(`${name}.localhost`)) === 503, `${name} to route`);
      const reply = await send(`${name}.localhost`, '/', {
        headers: { 'X-Request-Id': `e2e-page-${name}` },
      });
      expect(reply.status).toBe(503);
      expect(reply.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(reply.body).toContain('Down for maintenance');
      expect(reply.body).toContain(`<span class="app">${name}</span>`);
      expect(reply.body).not.toContain('openapi');
    }
    await waitFor(() => expected.every((line) => stderr.includes(line)), 'the three failures');
    // Each was fetched once (the warm-up) and its failure cached: one line each.
    for (const line of expected) expect(stderr.split(line)).toHaveLength(2);
    expect(pagePaths.filter((path) => path !== '/page.html')).toEqual([
      '/to-metadata',
      '/docs-json',
    ]);
    for (const secret of ['s3cret', 'hunter2', 'frag', 'X-Amz']) {
      expect(stdout + stderr).not.toContain(secret);
    }
    for (const entry of created) cp.remove(entry);
  });

  it('is back to proxying within one second of maintenance going off', async () => {
    const started = Date.now();
    cp.set({ ...myapp, maintenance: false }, 'maintenance.disable');
    await waitFor(
      async () => (await statusOf('myapp.localhost')) === 200,
      'proxying to resume',
      1000,
    );
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('answers H14 when the app has no web dynos', async () => {
    const reply = await send('zero.localhost', '/', { headers: { 'X-Request-Id': 'e2e-h14' } });
    expect(reply.status).toBe(503);
    expect(reply.body).toContain('Application error');
    expect(await logLine('e2e-h14')).toMatch(
      /^at=error code=H14 desc="No web dynos running" method=GET path="\/" host=zero\.localhost .* status=503 /,
    );
  });

  it('gives a Private Space app with web=0 the error, not the maintenance page', async () => {
    const reply = await send('rocket.localhost', '/', {
      headers: { 'X-Request-Id': 'e2e-private' },
    });
    expect(reply.status).toBe(503);
    expect(reply.body).toContain('Application error');
    expect(reply.body).not.toContain('Down for maintenance');
    expect(reply.headers['retry-after']).toBeUndefined();
    expect(await logLine('e2e-private')).toContain('code=H14 desc="No web dynos running"');
    expect(logLines('e2e-private').join('\n')).not.toContain('H80');
  });

  it('answers 404 for an unknown host', async () => {
    const reply = await send('nope.localhost', '/', { headers: { 'X-Request-Id': 'e2e-404' } });
    expect(reply.status).toBe(404);
    expect(reply.body).toContain('No such app');
    expect(await logLine('e2e-404')).toMatch(/^at=info desc="No such app" .* status=404 /);
  });

  it('answers H10, H12 and H13 when the dyno refuses, stays silent or hangs up', async () => {
    const refused = await send('broken.localhost', '/', { headers: { 'X-Request-Id': 'e2e-h10' } });
    expect(refused.status).toBe(503);
    expect(await logLine('e2e-h10')).toContain('code=H10 desc="App crashed"');
    // With a body too: the client still gets the error page, not a dropped connection.
    const refusedPost = await send('broken.localhost', '/', {
      method: 'POST',
      headers: { 'X-Request-Id': 'e2e-h10-post', 'Content-Type': 'text/plain' },
      body: 'x'.repeat(64 * 1024),
    });
    expect(refusedPost.status).toBe(503);
    expect(await logLine('e2e-h10-post')).toContain('code=H10 desc="App crashed"');

    const [slow, reset] = await Promise.all([
      send('myapp.localhost', '/slow', { headers: { 'X-Request-Id': 'e2e-h12' } }),
      send('myapp.localhost', '/reset', { headers: { 'X-Request-Id': 'e2e-h13' } }),
    ]);
    expect([slow.status, reset.status]).toEqual([503, 503]);
    expect(await logLine('e2e-h12')).toMatch(/code=H12 desc="Request timeout" .* dyno=web\.\d /);
    expect(await logLine('e2e-h13')).toContain(
      'code=H13 desc="Connection closed without response"',
    );
  });

  it('follows renames and deletions from the stream', async () => {
    cp.set({ ...myapp, name: 'myapp2', hosts: ['myapp2.localhost'] }, 'app.rename');
    await waitFor(
      async () => (await statusOf('myapp2.localhost')) === 200,
      'the new name to route',
    );
    expect(await statusOf('myapp.localhost')).toBe(404);
    cp.set(myapp, 'app.rename');
    const extra = {
      ...zero,
      id: '0b1f7a4e-0000-4000-8000-0000000000ff',
      name: 'doomed',
      hosts: [],
    };
    cp.set(extra, 'app.create');
    await waitFor(async () => (await statusOf('doomed.localhost')) === 503, 'the new app');
    cp.remove(extra);
    await waitFor(async () => (await statusOf('doomed.localhost')) === 404, 'the deletion');
    expect(await statusOf('myapp.localhost')).toBe(200);
  });

  it('keeps serving while the control plane is down, then resumes from its last version', async () => {
    const lastSeen = cp.version;
    const snapshots = cp.snapshots;
    const watches = cp.watchRequests.length;
    const disconnections = () => stderr.split('state=disconnected').length - 1;
    const before = disconnections();
    await cp.stop();
    // The stream's end, then at least one refused reconnection with backoff.
    await waitFor(() => disconnections() >= before + 2, 'a refused reconnection');
    expect(stderr).toMatch(
      /state=disconnected version=\d+ error="fetch failed: ECONNREFUSED" retry_in=\d+ms/,
    );

    expect(await statusOf('myapp.localhost')).toBe(200);
    expect((await send('custom.localhost')).body).toBe(PAGE);

    // Changes made while the router cannot hear them must arrive when it reconnects.
    cp.set({ ...myapp, maintenance: true }, 'maintenance.enable');
    const late = { ...myapp, id: '0b1f7a4e-0000-4000-8000-0000000000aa', name: 'late', hosts: [] };
    cp.set(late, 'app.create');
    expect(await statusOf('myapp.localhost')).toBe(200);

    await cp.start();
    await waitFor(
      async () => (await statusOf('myapp.localhost')) === 503,
      'the missed change',
      8000,
    );
    expect(await statusOf('late.localhost')).toBe(200);
    const resumed = cp.watchRequests.slice(watches);
    expect(resumed.length).toBeGreaterThan(0);
    expect(resumed.at(-1)).toEqual({ since: String(lastSeen), lastEventId: String(lastSeen) });
    expect(cp.snapshots).toBe(snapshots);
    expect(stderr).toMatch(new RegExp(`state=connected since=${lastSeen}\\n`));

    cp.set({ ...myapp, maintenance: false }, 'maintenance.disable');
    await waitFor(
      async () => (await statusOf('myapp.localhost')) === 200,
      'a live change after resuming',
      1000,
    );
  }, 15_000);

  it('re-lists when its version is no longer retained (410)', async () => {
    const snapshots = cp.snapshots;
    const watches = cp.watchRequests.length;
    const before = cp.version;
    cp.dropWatchers();
    cp.set({ ...custom, maintenance: false }, 'maintenance.disable');
    cp.forgetHistory();

    await waitFor(async () => (await statusOf('custom.localhost')) === 200, 'the re-list', 5000);
    expect(cp.snapshots).toBe(snapshots + 1);
    expect(cp.watchRequests[watches]).toEqual({
      since: String(before),
      lastEventId: String(before),
    });
    expect(stderr).toContain(`state=resynced version=${cp.version}`);
    await waitFor(() => cp.watching === 1, 'the watch after the re-list');
    expect(cp.watchRequests.at(-1)).toEqual({
      since: String(cp.version),
      lastEventId: String(cp.version),
    });

    cp.set(custom, 'maintenance.enable');
    await waitFor(
      async () => (await send('custom.localhost')).body === PAGE,
      'changes after the re-list',
      1000,
    );
  });

  it('exits 0 on SIGTERM', async () => {
    router.kill('SIGTERM');
    const [code] = await once(router, 'exit');
    expect(code).toBe(0);
    expect(stderr).toContain('state=stopping signal=SIGTERM');
  });
});
