import { ADMIN_TOKEN, bearer, startTestApp, TestApp } from '../support/test-app.js';

describe('audit trail and rollback', () => {
  let t: TestApp;
  let owner: { id: string; token: string };
  let other: { id: string; token: string };

  beforeAll(async () => {
    t = await startTestApp();
    owner = await t.createUser('audit-owner@example.com');
    other = await t.createUser('audit-other@example.com');
    await t
      .http()
      .post('/apps')
      .set(bearer(owner.token))
      .send({ name: 'audited', process_types: { web: 'npm start' } })
      .expect(201);
  });
  afterAll(() => t.close());

  const as = (token: string) => bearer(token);
  const dynoReleases = async () =>
    (
      await t.prisma.dyno.findMany({
        where: { app: { name: 'audited' } },
        include: { release: true },
        orderBy: { name: 'asc' },
      })
    ).map((dyno) => [dyno.name, dyno.release?.version]);
  const latestVersion = async () =>
    (
      await t.prisma.release.aggregate({
        where: { app: { name: 'audited' } },
        _max: { version: true },
      })
    )._max.version;

  it('config:set, process types and rollback each put every dyno on the new release', async () => {
    await t
      .http()
      .patch('/apps/audited/config-vars')
      .set(as(owner.token))
      .send({ SECRET_KEY: 'hunter2', MODE: 'a' })
      .expect(200);
    expect(await latestVersion()).toBe(2);
    expect(await dynoReleases()).toEqual([['web.1', 2]]);

    await t
      .http()
      .put('/apps/audited/process-types')
      .set(as(owner.token))
      .send({ web: 'npm start', worker: 'node worker.js' })
      .expect(200);
    await t
      .http()
      .patch('/apps/audited/formation/worker')
      .set(as(owner.token))
      .send({ quantity: 1 })
      .expect(200);
    // web kept its command, and still restarts on the new release, as on Heroku.
    expect(await dynoReleases()).toEqual([
      ['web.1', 3],
      ['worker.1', 3],
    ]);

    await t
      .http()
      .patch('/apps/audited/config-vars')
      .set(as(owner.token))
      .send({ MODE: 'b' })
      .expect(200);
    const rollback = await t
      .http()
      .post('/apps/audited/releases')
      .set(as(owner.token))
      .send({ release: 'v2' })
      .expect(201);
    expect(rollback.body).toMatchObject({
      version: 5,
      description: 'Rollback to v2',
      current: true,
      eligible_for_rollback: true,
    });
    // v2's config vars and process types (web only) are back, every dyno on v5.
    await t
      .http()
      .get('/apps/audited/config-vars')
      .set(as(owner.token))
      .expect(200, { MODE: 'a', SECRET_KEY: 'hunter2' });
    await t
      .http()
      .get('/apps/audited/process-types')
      .set(as(owner.token))
      .expect(200, { web: 'npm start' });
    expect(await dynoReleases()).toEqual([['web.1', 5]]);
  });

  it('refuses a rollback to a release that does not exist or is not this app, changing nothing', async () => {
    await t.http().post('/apps').set(as(other.token)).send({ name: 'not-audited' }).expect(201);
    const foreign = await t.prisma.release.findFirstOrThrow({
      where: { app: { name: 'not-audited' } },
    });
    const before = await latestVersion();
    for (const release of ['v99', foreign.id, 'nope']) {
      const response = await t
        .http()
        .post('/apps/audited/releases')
        .set(as(owner.token))
        .send({ release })
        .expect(404);
      expect(response.body.id).toBe('not_found');
    }
    for (const body of [{}, { release: 3 }, { release: 'v2', extra: true }]) {
      const response = await t
        .http()
        .post('/apps/audited/releases')
        .set(as(owner.token))
        .send(body)
        .expect(422);
      expect(response.body.id).toBe('invalid_params');
    }
    await t
      .http()
      .post('/apps/audited/releases')
      .set(as(other.token))
      .send({ release: 'v2' })
      .expect(403);
    expect(await latestVersion()).toBe(before);
  });

  it('refuses, with 422, a release from before process types were kept, and says so', async () => {
    const app = await t.prisma.app.findUniqueOrThrow({ where: { name: 'audited' } });
    await t.prisma.release.update({
      where: { appId_version: { appId: app.id, version: 1 } },
      data: { processTypes: null as never },
    });
    const listed = await t.http().get('/apps/audited/releases/v1').set(as(owner.token)).expect(200);
    expect(listed.body.eligible_for_rollback).toBe(false);
    const before = await latestVersion();
    const response = await t
      .http()
      .post('/apps/audited/releases')
      .set(as(owner.token))
      .send({ release: '1' })
      .expect(422);
    expect(response.body.message).toMatch(/v1 cannot be rolled back to/);
    expect(await latestVersion()).toBe(before);
  });

  it('lists every change of the app newest first, with actors and no secret values', async () => {
    const response = await t
      .http()
      .get('/apps/audited/audit-events')
      .set(as(owner.token))
      .expect(200);
    const events = response.body as {
      version: number;
      action: string;
      actor: { id: string; email: string } | null;
      data: unknown;
      app: { name: string };
    }[];
    expect(events[0].action).toBe('release.create');
    expect(events[events.length - 1].action).toBe('app.create');
    expect(events.map((e) => e.version)).toEqual(
      [...events.map((e) => e.version)].sort((a, b) => b - a),
    );
    expect(events.find((e) => e.action === 'config.update')).toMatchObject({
      actor: { id: owner.id, email: 'audit-owner@example.com' },
      app: { name: 'audited' },
    });
    expect(JSON.stringify(events)).not.toContain('hunter2');
    const page = await t
      .http()
      .get('/apps/audited/audit-events')
      .set(as(owner.token))
      .set('Range', 'version ..; max=2')
      .expect(206);
    const next = await t
      .http()
      .get('/apps/audited/audit-events')
      .set(as(owner.token))
      .set('Range', page.headers['next-range'])
      .expect((r) => expect([200, 206]).toContain(r.status));
    expect(next.body[0]).toEqual(events[2]);
    await t.http().get('/apps/audited/audit-events').set(as(other.token)).expect(403);
  });

  it("keeps a deleted app's trail for admins, by id or last name, and for no one else", async () => {
    const app = await t.prisma.app.findUniqueOrThrow({ where: { name: 'audited' } });
    await t.http().delete('/apps/audited').set(as(owner.token)).expect(200);
    for (const key of ['audited', app.id]) {
      const trail = await t
        .http()
        .get(`/apps/${key}/audit-events`)
        .set(as(ADMIN_TOKEN))
        .expect(200);
      expect(trail.body[0]).toMatchObject({ action: 'app.destroy', app: { id: app.id } });
    }
    await t.http().get('/apps/audited/audit-events').set(as(owner.token)).expect(404);
  });
});
