import { CHANGE_ACTIONS, changeEventProblems } from '../../src/events/change-event.js';
import { eventually } from '../support/eventually.js';
import { ADMIN_TOKEN, bearer, startTestApp, TestApp } from '../support/test-app.js';

/**
 * Every producer of change events, the SQL functions of the migrations among them, writes
 * payloads the typed union describes: this runs every kind of change through the API and
 * checks each event the log holds afterwards.
 */
describe('typed change events', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Drains to a closed loopback port: their deliveries fail here and reach nothing.
    t = await startTestApp({ LOG_DRAIN_ALLOWED_HOSTS: '127.0.0.1', LOG_DRAINS_ALLOW_HTTP: 'true' });
  });
  afterAll(() => t.close());

  it('holds only events whose action and payload the union describes, for every kind of change', async () => {
    const admin = bearer(ADMIN_TOKEN);
    const http = () => t.http();
    const manager = await t.mintToken(['dyno-manager']);
    const user = await t.createUser('events@example.com');
    await http().post('/spaces').set(admin).send({ name: 'eventspace' }).expect(201);
    await http()
      .post('/apps')
      .set(admin)
      .send({ name: 'evented', space: 'eventspace', process_types: { web: 'npm start' } })
      .expect(201);
    await http().patch('/apps/evented').set(admin).send({ maintenance: true }).expect(200);
    await http()
      .patch('/apps/evented/maintenance')
      .set(admin)
      .send({ enabled: false, reason: 'done' })
      .expect(200);
    const inHours = (hours: number) => new Date(Date.now() + hours * 3600_000).toISOString();
    const window = await http()
      .post('/apps/evented/maintenance/windows')
      .set(admin)
      .send({ starts_at: inHours(1), ends_at: inHours(2) })
      .expect(201);
    await http()
      .delete(`/apps/evented/maintenance/windows/${window.body.id}`)
      .set(admin)
      .expect(200);
    await http()
      .patch('/apps/evented/maintenance')
      .set(admin)
      .send({ enabled: true, freeze: true, max_duration: 1 })
      .expect(200);
    await eventually(
      async () =>
        expect(await t.prisma.event.count({ where: { action: 'maintenance.overdue' } })).toBe(1),
      10_000,
    );
    await http().patch('/apps/evented/maintenance').set(admin).send({ enabled: false }).expect(200);
    await http().patch('/apps/evented/formation/web').set(admin).send({ quantity: 2 }).expect(200);
    await http().patch('/apps/evented/config-vars').set(admin).send({ A: 'secret' }).expect(200);
    await http()
      .put('/apps/evented/process-types')
      .set(admin)
      .send({ web: 'npm start', worker: 'node worker.js' })
      .expect(200);
    await http().post('/apps/evented/releases').set(admin).send({ release: 'v2' }).expect(201);
    await http()
      .post('/apps/evented/slugs')
      .set(admin)
      .send({ process_types: { web: 'npm start' } })
      .expect(201);
    await http()
      .post('/apps/evented/dynos')
      .set(admin)
      .send({ command: 'rake db:migrate' })
      .expect(201);
    expect(
      (await t.reportDyno('evented', 'web.1', { state: 'up', address: '10.0.0.1:5000' }, manager))
        .status,
    ).toBe(200);
    await http().delete('/apps/evented/dynos/web.1').set(admin).expect(202);
    await http().post('/apps/evented/dynos/web.2/actions/stop').set(admin).expect(202);
    const drain = await http()
      .post('/apps/evented/log-drains')
      .set(admin)
      .send({ url: 'http://127.0.0.1:9/drain' })
      .expect(201);
    await http().delete(`/apps/evented/log-drains/${drain.body.id}`).set(admin).expect(200);
    await http().patch('/apps/evented').set(admin).send({ build_stack: 'heroku-22' }).expect(200);
    await http()
      .post('/apps/evented/collaborators')
      .set(admin)
      .send({ user: 'events@example.com' })
      .expect(201);
    await http().delete('/apps/evented/collaborators/events@example.com').set(admin).expect(200);
    await http()
      .post('/apps/evented/domains')
      .set(admin)
      .send({ hostname: 'www.evented.example.com' })
      .expect(201);
    await http().delete('/apps/evented/domains/www.evented.example.com').set(admin).expect(200);
    // Deleted with a collaborator, so app.destroy names one.
    await http()
      .post('/apps/evented/collaborators')
      .set(admin)
      .send({ user: 'events@example.com' })
      .expect(201);
    await http().patch('/apps/evented').set(admin).send({ name: 'renamed' }).expect(200);
    const token = await http()
      .post('/oauth/authorizations')
      .set(bearer(user.token))
      .send({})
      .expect(201);
    await http()
      .patch(`/oauth/authorizations/${token.body.id}`)
      .set(bearer(user.token))
      .send({ description: 'described' })
      .expect(200);
    await http()
      .post(`/oauth/authorizations/${token.body.id}/actions/regenerate-tokens`)
      .set(bearer(user.token))
      .expect(200);
    await http()
      .delete(`/oauth/authorizations/${token.body.id}`)
      .set(bearer(user.token))
      .expect(200);
    await http().delete('/apps/renamed').set(admin).expect(200);
    await http().delete('/spaces/eventspace').set(admin).expect(200);

    const events = await t.prisma.event.findMany({ orderBy: { version: 'asc' } });
    const problems = events.flatMap((event) => changeEventProblems(event.action, event.data));
    expect(problems).toEqual([]);
    // Each kind of change was made above, so each payload shape was held to the union.
    expect([...new Set(events.map((event) => event.action))].sort()).toEqual(CHANGE_ACTIONS);
  });

  it('names what a payload the union does not describe gets wrong', () => {
    expect(changeEventProblems('maintenance.enable', { from: false, to: true })).toEqual([
      'maintenance.enable data.reason: missing',
      'maintenance.enable data.source: missing',
      'maintenance.enable data.ends_at: missing',
    ]);
    expect(changeEventProblems('config.update', { set: ['A'], removed: [], value: 'x' })).toEqual([
      'config.update data.value: not described',
    ]);
    expect(changeEventProblems('app.teleport', {})).toEqual([
      'action app.teleport: not a known change',
    ]);
  });
});
