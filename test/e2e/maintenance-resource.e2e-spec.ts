import { eventually } from '../support/eventually.js';
import { ADMIN_TOKEN, bearer, startTestApp, TestApp } from '../support/test-app.js';

describe('maintenance as a resource', () => {
  let t: TestApp;
  let owner: { id: string; token: string };
  let other: { id: string; token: string };

  beforeAll(async () => {
    t = await startTestApp();
    owner = await t.createUser('resource-owner@example.com');
    other = await t.createUser('resource-other@example.com');
    await t.http().post('/apps').set(bearer(owner.token)).send({ name: 'maint-res' }).expect(201);
  });
  afterAll(() => t.close());

  const get = (token = owner.token) =>
    t.http().get('/apps/maint-res/maintenance').set(bearer(token));
  const patch = (body: unknown, token = owner.token) =>
    t
      .http()
      .patch('/apps/maint-res/maintenance')
      .set(bearer(token))
      .set('Content-Type', 'application/json')
      .send(JSON.stringify(body));
  const history = (range?: string) => {
    const request = t.http().get('/apps/maint-res/maintenance/history').set(bearer(owner.token));
    return range ? request.set('Range', range) : request;
  };
  const switches = () => t.prisma.maintenanceChange.count();

  it('starts off, never switched', async () => {
    const app = await t.prisma.app.findUniqueOrThrow({ where: { name: 'maint-res' } });
    expect((await get().expect(200)).body).toEqual({
      app: { id: app.id, name: 'maint-res' },
      enabled: false,
      reason: null,
      changed_at: null,
      changed_by: null,
      freeze: false,
      snapshot: null,
      max_duration: null,
      auto_off_when_overdue: false,
      overdue_at: null,
      ends_at: null,
      window: null,
      jobs: 'run',
    });
  });

  it('turns on with a reason, says who and since when, and routers hear of it', async () => {
    const response = await patch({ enabled: true, reason: 'Migrating the orders table' }).expect(
      200,
    );
    expect(response.body).toMatchObject({
      enabled: true,
      reason: 'Migrating the orders table',
      changed_by: { id: owner.id, email: 'resource-owner@example.com' },
    });
    expect(Date.parse(response.body.changed_at)).not.toBeNaN();
    expect((await get().expect(200)).body).toEqual(response.body);
    const app = await t.http().get('/apps/maint-res').set(bearer(owner.token)).expect(200);
    expect(app.body.maintenance).toBe(true);
    const router = await t.mintToken(['routing']);
    await eventually(async () => {
      const entry = await t
        .http()
        .get('/routing/v1/apps/maint-res')
        .set(bearer(router))
        .expect(200);
      expect(entry.body.maintenance).toBe(true);
    });
  });

  it('setting the mode it already has changes and records nothing', async () => {
    const before = await switches();
    const events = await t.prisma.event.count();
    const response = await patch({ enabled: true, reason: 'another reason' }).expect(200);
    expect(response.body.reason).toBe('Migrating the orders table');
    expect(await switches()).toBe(before);
    expect(await t.prisma.event.count()).toBe(events);
  });

  it("keeps Heroku's PATCH /apps/{app} and records it the same way", async () => {
    await t
      .http()
      .patch('/apps/maint-res')
      .set(bearer(owner.token))
      .send({ maintenance: false })
      .expect(200);
    const [latest] = (await history().expect(200)).body;
    expect(latest).toMatchObject({
      enabled: false,
      previous: true,
      reason: null,
      actor: { id: owner.id, email: 'resource-owner@example.com' },
      source: 'api',
    });
    expect((await get().expect(200)).body).toMatchObject({ enabled: false, reason: null });
  });

  it('lists every switch newest first, Range-paginated', async () => {
    await patch({ enabled: true }).expect(200);
    await patch({ enabled: false }).expect(200);
    const all = (await history().expect(200)).body as { enabled: boolean; version: number }[];
    expect(all.map((entry) => entry.enabled)).toEqual([false, true, false, true]);
    expect(all.map((entry) => entry.version)).toEqual(
      [...all.map((entry) => entry.version)].sort((a, b) => b - a),
    );
    const first = await history('version ..; max=3').expect(206);
    expect(first.body).toHaveLength(3);
    const rest = await history(first.headers['next-range']).expect(200);
    expect([...first.body, ...rest.body]).toEqual(all);
    const oldest = await history('version ..; order=asc, max=1').expect(206);
    expect(oldest.body[0]).toEqual(all[all.length - 1]);
  });

  it('refuses bad input with a Heroku-shaped 422 and records nothing', async () => {
    const before = await switches();
    for (const body of [
      { enabled: 'yes' },
      {},
      { enabled: true, reason: 'x'.repeat(501) },
      { enabled: true, reason: 42 },
      { enabled: true, colour: 'red' },
      { enabled: null },
    ]) {
      const response = await patch(body).expect(422);
      expect(response.body.id).toBe('invalid_params');
      expect(typeof response.body.message).toBe('string');
    }
    expect(await switches()).toBe(before);
    expect((await get().expect(200)).body.enabled).toBe(false);
  });

  it("refuses someone else's app with 403, an unknown one with 404, and admins may", async () => {
    expect((await get(other.token).expect(403)).body.id).toBe('forbidden');
    expect((await patch({ enabled: true }, other.token).expect(403)).body.id).toBe('forbidden');
    await t.http().get('/apps/nope/maintenance').set(bearer(owner.token)).expect(404);
    await t.http().get('/apps/nope/maintenance/history').set(bearer(owner.token)).expect(404);
    await get(ADMIN_TOKEN).expect(200);
  });
});
