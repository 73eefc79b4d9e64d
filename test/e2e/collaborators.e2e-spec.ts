import { eventually } from '../support/eventually.js';
import { openSse, SseMessage, SseStream } from '../support/sse-client.js';
import { ADMIN_TOKEN, bearer, startTestApp, TestApp } from '../support/test-app.js';

type User = { id: string; token: string };

/** Heroku's collaborators of a personal app: the resource, what a collaborator may do, and what they see. */
describe('collaborators', () => {
  let t: TestApp;
  let port: number;
  let owner: User;
  let collaborator: User;
  let stranger: User;
  const streams: SseStream[] = [];

  const as = (user: User | string) => bearer(typeof user === 'string' ? user : user.token);
  const add = (email: string, by: User = owner) =>
    t.http().post('/apps/shared/collaborators').set(as(by)).send({ user: email });
  const remove = (email: string, by: User = owner) =>
    t
      .http()
      .delete(`/apps/shared/collaborators/${encodeURIComponent(email)}`)
      .set(as(by));
  const appNames = async (user: User, path = '/apps') =>
    ((await t.http().get(path).set(as(user)).expect(200)).body as { name: string }[])
      .map((app) => app.name)
      .sort();
  const watch = async (user: User) => {
    const stream = await openSse(`http://127.0.0.1:${port}/routing/v1/watch`, as(user));
    streams.push(stream);
    expect(stream.status).toBe(200);
    return stream;
  };
  const parse = (message: SseMessage) =>
    JSON.parse(message.data) as { action: string; app_name: string; routing: unknown };
  const setMaintenance = (enabled: boolean, by: User = owner) =>
    t.http().patch('/apps/shared').set(as(by)).send({ maintenance: enabled }).expect(200);

  beforeAll(async () => {
    t = await startTestApp({ WATCH_HEARTBEAT_SECONDS: '1' });
    port = await t.listen();
    owner = await t.createUser('owner@example.com');
    collaborator = await t.createUser('collaborator@example.com');
    stranger = await t.createUser('stranger@example.com');
    await t
      .http()
      .post('/apps')
      .set(as(owner))
      .send({ name: 'shared', process_types: { web: 'npm start', worker: 'node worker.js' } })
      .expect(201);
    await t.http().post('/apps').set(as(collaborator)).send({ name: 'own-app' }).expect(201);
    await t.http().post('/apps').set(as(stranger)).send({ name: 'elsewhere' }).expect(201);
  });
  afterEach(() => {
    for (const stream of streams.splice(0)) stream.close();
  });
  afterAll(() => t.close());

  it('adds a collaborator with a collaborator.create event and no release, and lists the owner first', async () => {
    const releasesBefore = await t.prisma.release.count({ where: { app: { name: 'shared' } } });
    const created = await t
      .http()
      .post('/apps/shared/collaborators')
      .set(as(owner))
      .send({ user: 'Collaborator@example.com', silent: true })
      .expect(201);
    expect(created.body).toEqual({
      app: { id: expect.any(String), name: 'shared' },
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      permissions: [
        { name: 'deploy', description: expect.any(String) },
        { name: 'operate', description: expect.any(String) },
        { name: 'view', description: expect.any(String) },
      ],
      role: 'collaborator',
      updated_at: created.body.created_at,
      user: { email: 'collaborator@example.com', federated: false, id: collaborator.id },
    });

    const list = await t.http().get('/apps/shared/collaborators').set(as(owner)).expect(200);
    expect(
      list.body.map((c: { role: string; user: { email: string } }) => [c.role, c.user.email]),
    ).toEqual([
      ['owner', 'owner@example.com'],
      ['collaborator', 'collaborator@example.com'],
    ]);
    expect(list.body[0]).toMatchObject({ id: owner.id, user: { id: owner.id } });
    expect(list.body[0].permissions.map((p: { name: string }) => p.name)).toEqual([
      'deploy',
      'manage',
      'operate',
      'view',
    ]);
    // The collaborator sees the same list.
    expect(
      (await t.http().get('/apps/shared/collaborators').set(as(collaborator)).expect(200)).body,
    ).toEqual(list.body);

    for (const identity of ['collaborator@example.com', created.body.id, collaborator.id]) {
      const one = await t
        .http()
        .get(`/apps/shared/collaborators/${identity}`)
        .set(as(owner))
        .expect(200);
      expect(one.body).toEqual(created.body);
    }
    const ownerEntry = await t
      .http()
      .get('/apps/shared/collaborators/owner@example.com')
      .set(as(collaborator))
      .expect(200);
    expect(ownerEntry.body.role).toBe('owner');

    expect(await t.prisma.release.count({ where: { app: { name: 'shared' } } })).toBe(
      releasesBefore,
    );
    const event = await t.prisma.event.findFirstOrThrow({
      where: { action: 'collaborator.create', appName: 'shared' },
    });
    expect(event).toMatchObject({
      actorId: owner.id,
      data: {
        collaborator_id: created.body.id,
        account_id: collaborator.id,
        email: 'collaborator@example.com',
      },
    });
  });

  it('answers bad adds with Heroku errors and changes nothing', async () => {
    const unknown = await add('nobody@example.com').expect(404);
    expect(unknown.body).toEqual({ id: 'not_found', message: "Couldn't find that user." });
    const ownerAgain = await add('owner@example.com').expect(422);
    expect(ownerAgain.body).toEqual({
      id: 'invalid_params',
      message: 'owner@example.com owns shared: the owner cannot also be a collaborator.',
    });
    const twice = await add('collaborator@example.com').expect(422);
    expect(twice.body).toEqual({
      id: 'invalid_params',
      message: 'collaborator@example.com is already a collaborator on shared.',
    });
    const teamParams = await t
      .http()
      .post('/apps/shared/collaborators')
      .set(as(owner))
      .send({ user: 'stranger@example.com', permissions: ['view'] })
      .expect(422);
    expect(teamParams.body.id).toBe('invalid_params');
    await t.http().post('/apps/shared/collaborators').set(as(owner)).send({}).expect(422);
    const missing = await t
      .http()
      .get('/apps/shared/collaborators/nobody@example.com')
      .set(as(owner));
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ id: 'not_found', message: "Couldn't find that collaborator." });
    await t.http().get('/apps/nope/collaborators').set(as(owner)).expect(404);

    const notTheirs = await add('stranger@example.com', stranger).expect(403);
    expect(notTheirs.body).toEqual({
      id: 'forbidden',
      message: 'You do not have access to the app shared.',
    });
    await t.http().get('/apps/shared/collaborators').set(as(stranger)).expect(403);
    const byCollaborator = await add('stranger@example.com', collaborator).expect(403);
    expect(byCollaborator.body).toEqual({
      id: 'forbidden',
      message:
        'Only the owner of shared (owner@example.com) may manage its collaborators; collaborators may not.',
    });
    const removeOwner = await remove('owner@example.com').expect(422);
    expect(removeOwner.body.message).toBe(
      'owner@example.com owns shared: the owner cannot be removed from the app.',
    );
    await remove('owner@example.com', collaborator).expect(403);

    expect(await t.prisma.collaborator.count()).toBe(1);
    expect(await t.prisma.event.count({ where: { action: { startsWith: 'collaborator.' } } })).toBe(
      1,
    );
  });

  it('lets a collaborator scale, set config vars and switch maintenance, but not delete, rename or share the app', async () => {
    await t
      .http()
      .patch('/apps/shared/formation/worker')
      .set(as(collaborator))
      .send({ quantity: 2 })
      .expect(200);
    const config = await t
      .http()
      .patch('/apps/shared/config-vars')
      .set(as(collaborator))
      .send({ FROM_COLLABORATOR: 'yes' })
      .expect(200);
    expect(config.body.FROM_COLLABORATOR).toBe('yes');
    expect((await setMaintenance(true, collaborator)).body.maintenance).toBe(true);
    const maintenance = await t
      .http()
      .get('/apps/shared/maintenance')
      .set(as(collaborator))
      .expect(200);
    expect(maintenance.body.enabled).toBe(true);
    expect((await setMaintenance(false, collaborator)).body.maintenance).toBe(false);
    const latest = await t.prisma.release.findFirstOrThrow({
      where: { app: { name: 'shared' } },
      orderBy: { version: 'desc' },
    });
    expect(latest).toMatchObject({
      userId: collaborator.id,
      description: 'Set FROM_COLLABORATOR config vars',
    });

    const destroy = await t.http().delete('/apps/shared').set(as(collaborator)).expect(403);
    expect(destroy.body).toEqual({
      id: 'forbidden',
      message: 'Only the owner of shared (owner@example.com) may delete it; collaborators may not.',
    });
    const rename = await t
      .http()
      .patch('/apps/shared')
      .set(as(collaborator))
      .send({ name: 'taken-over' })
      .expect(403);
    expect(rename.body.message).toBe(
      'Only the owner of shared (owner@example.com) may rename it; collaborators may not.',
    );
    await add('stranger@example.com', collaborator).expect(403);
    expect(await t.prisma.app.count({ where: { name: 'shared' } })).toBe(1);
    expect(
      await t.prisma.formation.findFirstOrThrow({
        where: { app: { name: 'shared' }, type: 'worker' },
      }),
    ).toMatchObject({ quantity: 2 });
  });

  it("shows the app in the collaborator's app lists, beside their own, and in no one else's", async () => {
    expect(await appNames(collaborator)).toEqual(['own-app', 'shared']);
    expect(await appNames(collaborator, '/users/~/apps')).toEqual(['own-app', 'shared']);
    expect(await appNames(owner)).toEqual(['shared']);
    expect(await appNames(stranger)).toEqual(['elsewhere']);
    const listed = await t
      .http()
      .get('/users/collaborator@example.com/apps')
      .set(bearer(ADMIN_TOKEN))
      .expect(200);
    expect(listed.body.map((app: { name: string }) => app.name).sort()).toEqual([
      'own-app',
      'shared',
    ]);
    const shared = listed.body.find((app: { name: string }) => app.name === 'shared');
    expect(shared.owner.email).toBe('owner@example.com');
  });

  it('gives the collaborator the routing lookup, the snapshot entry and the watch stream of the app', async () => {
    const entry = await eventually(() =>
      t.http().get('/routing/v1/apps/shared').set(as(collaborator)).expect(200),
    );
    expect(entry.body).toMatchObject({ name: 'shared', maintenance: false });
    await t.http().get('/scheduler/v1/apps/shared').set(as(collaborator)).expect(200);
    await t.http().get('/routing/v1/apps/shared').set(as(stranger)).expect(403);
    const snapshot = await t.http().get('/routing/v1/snapshot').set(as(collaborator)).expect(200);
    expect(snapshot.body.apps.map((app: { name: string }) => app.name).sort()).toEqual([
      'own-app',
      'shared',
    ]);

    const stream = await watch(collaborator);
    const strangers = await watch(stranger);
    await setMaintenance(true);
    const messages = await stream.until((all) => all.some((m) => parse(m).app_name === 'shared'));
    expect(parse(messages[0])).toMatchObject({
      action: 'maintenance.enable',
      app_name: 'shared',
      routing: { name: 'shared', maintenance: true },
    });
    await setMaintenance(false);
    await stream.until((all) => all.some((m) => parse(m).action === 'maintenance.disable'));
    expect(strangers.messages).toEqual([]);
  });

  it('takes it all away when the owner removes the collaborator, who hears of it once', async () => {
    const stream = await watch(collaborator);
    const removed = await remove('collaborator@example.com').expect(200);
    expect(removed.body).toMatchObject({
      role: 'collaborator',
      user: { email: 'collaborator@example.com', id: collaborator.id },
    });
    const [gone] = await stream.until((all) => all.length === 1);
    expect(parse(gone)).toMatchObject({ action: 'collaborator.destroy', app_name: 'shared' });

    expect(
      (await t.http().get('/apps/shared').set(as(collaborator)).expect(403)).body.message,
    ).toBe('You do not have access to the app shared.');
    await t
      .http()
      .patch('/apps/shared/formation/worker')
      .set(as(collaborator))
      .send({ quantity: 0 })
      .expect(403);
    await t.http().get('/apps/shared/collaborators').set(as(collaborator)).expect(403);
    expect(await appNames(collaborator)).toEqual(['own-app']);
    await eventually(() =>
      t.http().get('/routing/v1/apps/shared').set(as(collaborator)).expect(403),
    );
    const snapshot = await t.http().get('/routing/v1/snapshot').set(as(collaborator)).expect(200);
    expect(snapshot.body.apps.map((app: { name: string }) => app.name)).toEqual(['own-app']);

    // Changes to the app no longer reach the former collaborator's stream.
    await t.http().post('/apps').set(as(collaborator)).send({ name: 'after-removal' }).expect(201);
    await setMaintenance(true);
    await setMaintenance(false);
    await t
      .http()
      .patch('/apps/after-removal')
      .set(as(collaborator))
      .send({ maintenance: true })
      .expect(200);
    const later = await stream.until((all) =>
      all.some((m) => parse(m).action === 'maintenance.enable'),
    );
    expect(later.slice(1).every((m) => parse(m).app_name === 'after-removal')).toBe(true);
    await remove('collaborator@example.com').expect(404);
    expect(await t.prisma.collaborator.count()).toBe(0);
  });

  it('lets a collaborator remove themselves but no one else', async () => {
    await add('collaborator@example.com').expect(201);
    await add('stranger@example.com').expect(201);
    const other = await remove('stranger@example.com', collaborator).expect(403);
    expect(other.body.message).toBe(
      'Only the owner of shared (owner@example.com) may manage its collaborators; collaborators may not.',
    );
    await remove('collaborator@example.com', collaborator).expect(200);
    await t.http().get('/apps/shared').set(as(collaborator)).expect(403);
    expect(await appNames(stranger)).toEqual(['elsewhere', 'shared']);
    // An admin manages anyone's collaborators.
    await t
      .http()
      .delete('/apps/shared/collaborators/stranger@example.com')
      .set(bearer(ADMIN_TOKEN))
      .expect(200);
    expect(await t.prisma.collaborator.count()).toBe(0);
  });

  it("tells a collaborator's stream when the owner deletes the app, and forgets its collaborators", async () => {
    await add('collaborator@example.com').expect(201);
    await eventually(() =>
      t.http().get('/routing/v1/apps/shared').set(as(collaborator)).expect(200),
    );
    const stream = await watch(collaborator);
    await t.http().delete('/apps/shared').set(as(owner)).expect(200);
    const [destroyed] = await stream.until((all) => all.length === 1);
    expect(parse(destroyed)).toMatchObject({
      action: 'app.destroy',
      app_name: 'shared',
      routing: null,
    });
    const event = await t.prisma.event.findFirstOrThrow({ where: { action: 'app.destroy' } });
    expect(event.data).toEqual({ owner_id: owner.id, collaborator_ids: [collaborator.id] });
    expect(await t.prisma.collaborator.count()).toBe(0);
  });
});
