import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { findFreePort } from '../../src/common/network/free-port.js';
import { eventually } from '../support/eventually.js';
import { probe, type ProbeResponse } from '../support/http-probe.js';
import { bearer, startTestApp, TestApp } from '../support/test-app.js';

/** Not the router's default (60): an answer of 17 can only come from the configuration. */
const DEFAULT_RETRY_AFTER = '17';
const APP = 'window-edge';
const HOST = `${APP}.localhost`;

/**
 * The reference router against a real API: while maintenance has a planned end (a window
 * with auto_off, a max_duration with auto_off_when_overdue) its 503 says, in Retry-After,
 * how many seconds are left; with nothing planning the end, the configured default.
 */
describe('the reference router: Retry-After while an app is in maintenance, on every host of the app', () => {
  let t: TestApp;
  let owner: { id: string; token: string };
  let router: ChildProcess;
  let routerPort: number;
  let routerOutput = '';

  beforeAll(async () => {
    t = await startTestApp();
    const apiPort = await t.listen();
    owner = await t.createUser('window-edge@example.com');
    await t
      .http()
      .post('/apps')
      .set(bearer(owner.token))
      .send({ name: APP, process_types: { web: 'node server.js' } })
      .expect(201);
    routerPort = await findFreePort();
    router = spawn(process.execPath, ['dist/router/main.js'], {
      env: {
        ...process.env,
        ROUTER_PORT: String(routerPort),
        ROUTER_HOST: '127.0.0.1',
        CONTROL_PLANE_URL: `http://127.0.0.1:${apiPort}`,
        ROUTER_TOKEN: await t.mintToken(['routing']),
        APPS_DOMAIN: 'localhost',
        MAINTENANCE_RETRY_AFTER: DEFAULT_RETRY_AFTER,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    router.stdout!.on('data', (chunk) => (routerOutput += chunk));
    router.stderr!.on('data', (chunk) => (routerOutput += chunk));
    // No web dyno is up: outside maintenance the router answers H14, without Retry-After.
    await eventually(async () => {
      const got = await probe(routerPort, HOST);
      expect(got).toMatchObject({ status: 503 });
      expect(got.headers['retry-after']).toBeUndefined();
    }, 15_000);
  }, 60_000);

  afterAll(async () => {
    if (router && router.exitCode === null) {
      router.kill('SIGTERM');
      await once(router, 'exit');
    }
    await t?.close();
  });

  const api = () => t.http();
  /** The router's maintenance answer (503 H80) once it has one, with the times around the request. */
  const maintenanceAnswer = () =>
    eventually(async () => {
      const sentAt = Date.now();
      const got = await probe(routerPort, HOST, '/checkout');
      const answeredAt = Date.now();
      expect(got.status).toBe(503);
      expect(got.body.toLowerCase()).toContain('maintenance');
      return { got, sentAt, answeredAt };
    }, 10_000);
  /** Back to H14 (no Retry-After) once maintenance is off. */
  const maintenanceOver = () =>
    eventually(async () => {
      const got = await probe(routerPort, HOST);
      expect(got.status).toBe(503);
      expect(got.headers['retry-after']).toBeUndefined();
    }, 10_000);
  /** The seconds the router can have counted to `endsAt` at some moment between the two times. */
  const secondsLeft = (
    { got, sentAt, answeredAt }: { got: ProbeResponse; sentAt: number; answeredAt: number },
    endsAt: string,
  ) => {
    const retryAfter = Number(got.headers['retry-after']);
    expect(got.headers['retry-after']).toMatch(/^\d+$/);
    const end = Date.parse(endsAt);
    expect(retryAfter).toBeGreaterThanOrEqual(Math.max(1, Math.ceil((end - answeredAt) / 1000)));
    expect(retryAfter).toBeLessThanOrEqual(Math.ceil((end - sentAt) / 1000));
    return retryAfter;
  };
  const planWindow = async (body: Record<string, unknown>, lastsSeconds: number) => {
    const startsAt = Date.now() + 1500;
    const response = await api()
      .post(`/apps/${APP}/maintenance/windows`)
      .set(bearer(owner.token))
      .send({
        starts_at: new Date(startsAt).toISOString(),
        ends_at: new Date(startsAt + lastsSeconds * 1000).toISOString(),
        ...body,
      })
      .expect(201);
    return response.body as { id: string; ends_at: string };
  };
  const maintenanceOf = async () =>
    (await api().get(`/apps/${APP}/maintenance`).set(bearer(owner.token)).expect(200)).body as {
      enabled: boolean;
      ends_at: string | null;
      window: { id: string } | null;
    };

  it('answers plain maintenance (no planned end) with MAINTENANCE_RETRY_AFTER', async () => {
    await api()
      .patch(`/apps/${APP}/maintenance`)
      .set(bearer(owner.token))
      .send({ enabled: true, reason: 'by hand' })
      .expect(200);
    expect(await maintenanceOf()).toMatchObject({ enabled: true, ends_at: null, window: null });
    const { got } = await maintenanceAnswer();
    expect(got.headers['retry-after']).toBe(DEFAULT_RETRY_AFTER);
    await eventually(() =>
      expect(routerOutput).toMatch(/code=H80 desc="Maintenance mode".*host=window-edge\.localhost/),
    );
    await api()
      .patch(`/apps/${APP}/maintenance`)
      .set(bearer(owner.token))
      .send({ enabled: false })
      .expect(200);
    await maintenanceOver();
  });

  it('answers during a window with auto_off with the seconds left until its ends_at', async () => {
    const window = await planWindow({ reason: 'database upgrade' }, 600);
    const answer = await maintenanceAnswer();
    // The window's end is the maintenance's, on the API and on the router.
    expect(await maintenanceOf()).toMatchObject({
      enabled: true,
      ends_at: window.ends_at,
      window: { id: window.id },
    });
    const left = secondsLeft(answer, window.ends_at);
    expect(left).toBeLessThanOrEqual(600);
    expect(left).toBeGreaterThan(500);
    await api()
      .delete(`/apps/${APP}/maintenance/windows/${window.id}`)
      .set(bearer(owner.token))
      .expect(200);
    await maintenanceOver();
  });

  it('counts down to the end of a short window, and proxies its end away', async () => {
    const window = await planWindow({}, 3);
    const left = secondsLeft(await maintenanceAnswer(), window.ends_at);
    expect(left).toBeGreaterThanOrEqual(1);
    expect(left).toBeLessThanOrEqual(3);
    // At ends_at the window's job turns maintenance off; the router follows.
    await maintenanceOver();
    const done = await api()
      .get(`/apps/${APP}/maintenance/windows/${window.id}`)
      .set(bearer(owner.token))
      .expect(200);
    expect(done.body).toMatchObject({ state: 'completed' });
  });

  it('answers a window without auto_off (nothing ends the maintenance) with the default', async () => {
    const window = await planWindow({ auto_off: false }, 600);
    const { got } = await maintenanceAnswer();
    expect(await maintenanceOf()).toMatchObject({
      enabled: true,
      ends_at: null,
      window: { id: window.id },
    });
    expect(got.headers['retry-after']).toBe(DEFAULT_RETRY_AFTER);
    await api()
      .delete(`/apps/${APP}/maintenance/windows/${window.id}`)
      .set(bearer(owner.token))
      .expect(200);
    await maintenanceOver();
  });

  it('answers maintenance that turns itself off when overdue with the seconds left until then', async () => {
    const switched = await api()
      .patch(`/apps/${APP}/maintenance`)
      .set(bearer(owner.token))
      .send({ enabled: true, max_duration: 300, auto_off_when_overdue: true })
      .expect(200);
    const { ends_at: endsAt, changed_at: changedAt } = switched.body as {
      ends_at: string;
      changed_at: string;
    };
    expect(Date.parse(endsAt)).toBe(Date.parse(changedAt) + 300_000);
    // The same max_duration again is no change: the end stays where it was.
    const again = await api()
      .patch(`/apps/${APP}/maintenance`)
      .set(bearer(owner.token))
      .send({ max_duration: 300 })
      .expect(200);
    expect(again.body).toMatchObject({ ends_at: endsAt, changed_at: changedAt });
    const left = secondsLeft(await maintenanceAnswer(), endsAt);
    expect(left).toBeGreaterThan(200);
    await api()
      .patch(`/apps/${APP}/maintenance`)
      .set(bearer(owner.token))
      .send({ enabled: false })
      .expect(200);
    await maintenanceOver();
  });
  it("routes an app's custom domain: the maintenance page while it lasts, nothing once removed", async () => {
    const custom = 'shop.window-edge.example';
    expect((await probe(routerPort, custom)).status).toBe(404);
    await api()
      .post(`/apps/${APP}/domains`)
      .set(bearer(owner.token))
      .send({ hostname: custom })
      .expect(201);
    await api()
      .patch(`/apps/${APP}/maintenance`)
      .set(bearer(owner.token))
      .send({ enabled: true, reason: 'custom domain' })
      .expect(200);
    await eventually(async () => {
      const got = await probe(routerPort, custom, '/checkout');
      expect(got.status).toBe(503);
      expect(got.body.toLowerCase()).toContain('maintenance');
      expect(got.headers['retry-after']).toBe(DEFAULT_RETRY_AFTER);
    }, 10_000);
    await api().delete(`/apps/${APP}/domains/${custom}`).set(bearer(owner.token)).expect(200);
    await eventually(
      async () => expect((await probe(routerPort, custom)).status).toBe(404),
      10_000,
    );
    await api()
      .patch(`/apps/${APP}/maintenance`)
      .set(bearer(owner.token))
      .send({ enabled: false })
      .expect(200);
    await maintenanceOver();
  });
});
