import { MaintenanceOverdue } from '../../src/maintenance/maintenance-overdue.service.js';
import { createScaledApp } from '../support/scaled-app.js';
import { eventually } from '../support/eventually.js';
import { openSse, SseStream } from '../support/sse-client.js';
import { appArchive } from '../support/tarball.js';
import { bearer, startTestApp, TestApp } from '../support/test-app.js';

/** Windows and overdue checks fire on the job engine, which polls every 500 ms. */
const FIRES_WITHIN_MS = 15_000;

interface WatchedChange {
  version: number;
  action: string;
  app_id: string;
  app_name: string;
  routing: { maintenance: boolean; maintenance_ends_at: string | null } | null;
}

/**
 * Maintenance that brings a plan (formation snapshot and restore, freeze, max duration,
 * jobs policy), through HTTP on two API replicas sharing one PostgreSQL: a request to
 * either sees what the other wrote, and the job engine's work happens once between them.
 */
describe('maintenance plans, on two replicas', () => {
  let a: TestApp;
  let b: TestApp;
  let portB: number;
  let owner: { id: string; token: string };
  let routerToken: string;
  let schedulerToken: string;
  const streams: SseStream[] = [];

  beforeAll(async () => {
    a = await startTestApp();
    b = await startTestApp({}, { reset: false });
    await a.listen();
    portB = await b.listen();
    owner = await a.createUser('plans-owner@example.com');
    routerToken = await a.mintToken(['routing']);
    schedulerToken = await b.mintToken(['scheduler']);
  });
  afterAll(async () => {
    for (const stream of streams) stream.close();
    await b.close();
    await a.close();
  });

  const as = () => bearer(owner.token);
  /** An app with these process types, scaled to `quantities`, made through `on`. */
  const createApp = (
    name: string,
    quantities: Record<string, number>,
    options: { on?: TestApp; space?: string } = {},
  ) => {
    const on = options.on ?? a;
    return createScaledApp(on, on, owner.token, name, quantities, options.space);
  };
  const formation = async (app: string, on: TestApp) =>
    Object.fromEntries(
      (await on.http().get(`/apps/${app}/formation`).set(as()).expect(200)).body.map(
        (row: { type: string; quantity: number }) => [row.type, row.quantity],
      ),
    );
  const scale = (app: string, type: string, quantity: number, on: TestApp) =>
    on.http().patch(`/apps/${app}/formation/${type}`).set(as()).send({ quantity });
  const patchMaintenance = (app: string, body: object, on: TestApp) =>
    on.http().patch(`/apps/${app}/maintenance`).set(as()).send(body);
  const getMaintenance = async (app: string, on: TestApp) =>
    (await on.http().get(`/apps/${app}/maintenance`).set(as()).expect(200)).body;
  const history = async (app: string, on: TestApp) =>
    (await on.http().get(`/apps/${app}/maintenance/history`).set(as()).expect(200)).body as {
      action: string;
      enabled: boolean;
      reason: string | null;
      source: string;
    }[];
  const routing = async (app: string, on: TestApp) =>
    (await on.http().get(`/routing/v1/apps/${app}`).set(bearer(routerToken)).expect(200)).body;
  const scheduling = async (app: string, on: TestApp) =>
    (await on.http().get(`/scheduler/v1/apps/${app}`).set(bearer(schedulerToken)).expect(200)).body;
  const releaseCount = (app: string) => a.prisma.release.count({ where: { app: { name: app } } });
  const eventCount = (app: string) => a.prisma.event.count({ where: { appName: app } });

  describe('snapshot and restore', () => {
    it('turning on with scale_down records the quantities and scales those types to 0', async () => {
      await createApp('snap-on', { web: 1, worker: 3, clock: 2 });
      const on = await patchMaintenance(
        'snap-on',
        { enabled: true, reason: 'Upgrading PostgreSQL', scale_down: ['worker', 'clock'] },
        b,
      ).expect(200);
      expect(on.body).toMatchObject({
        enabled: true,
        reason: 'Upgrading PostgreSQL',
        snapshot: expect.arrayContaining([
          { type: 'worker', quantity: 3 },
          { type: 'clock', quantity: 2 },
        ]),
      });
      expect(on.body.snapshot).toHaveLength(2);
      expect(on.body.restore).toBeUndefined();
      expect(await formation('snap-on', a)).toEqual({ web: 1, worker: 0, clock: 0 });
      expect(await getMaintenance('snap-on', a)).toEqual(on.body);
      await eventually(async () => expect((await routing('snap-on', a)).maintenance).toBe(true));
    });

    it("turning off restores the recorded quantities; a type scaled meanwhile keeps the operator's value", async () => {
      await createApp('snap-off', { web: 1, worker: 3, clock: 2 });
      await patchMaintenance(
        'snap-off',
        { enabled: true, scale_down: ['worker', 'clock'] },
        a,
      ).expect(200);
      await scale('snap-off', 'clock', 1, b).expect(200);

      const off = await patchMaintenance('snap-off', { enabled: false }, b).expect(200);
      expect(off.body).toMatchObject({ enabled: false, snapshot: null });
      expect(off.body.restore).toEqual({
        restored: [{ type: 'worker', quantity: 3 }],
        kept: [
          {
            type: 'clock',
            quantity: 1,
            recorded: 2,
            why: 'clock was scaled to 1 during maintenance; that value stands',
          },
        ],
      });
      expect(await formation('snap-off', a)).toEqual({ web: 1, worker: 3, clock: 1 });
      const after = await getMaintenance('snap-off', a);
      expect(after).toMatchObject({ enabled: false, snapshot: null });
      // Only the answer that turned it off carries the report.
      expect(after.restore).toBeUndefined();
    });

    it("heroku maintenance:off's PATCH /apps/{app} restores the snapshot too", async () => {
      await createApp('snap-heroku', { web: 1, worker: 2 });
      await patchMaintenance('snap-heroku', { enabled: true, scale_down: ['worker'] }, b).expect(
        200,
      );
      expect(await formation('snap-heroku', a)).toEqual({ web: 1, worker: 0 });
      const off = await a
        .http()
        .patch('/apps/snap-heroku')
        .set(as())
        .send({ maintenance: false })
        .expect(200);
      expect(off.body.maintenance).toBe(false);
      expect(await formation('snap-heroku', b)).toEqual({ web: 1, worker: 2 });
      expect(await getMaintenance('snap-heroku', b)).toMatchObject({
        enabled: false,
        snapshot: null,
      });
      expect((await history('snap-heroku', b)).map((entry) => entry.action)).toEqual([
        'maintenance.disable',
        'maintenance.enable',
      ]);
    });

    it('refuses to scale web down in a Private Space with 422, changing nothing', async () => {
      await a.http().post('/spaces').set(as()).send({ name: 'plans-space' }).expect(201);
      await createApp('snap-spaced', { web: 2, worker: 1 }, { on: b, space: 'plans-space' });
      const events = await eventCount('snap-spaced');
      const refused = await patchMaintenance(
        'snap-spaced',
        { enabled: true, scale_down: ['web'] },
        a,
      ).expect(422);
      expect(refused.body).toEqual({
        id: 'invalid_params',
        message: expect.stringContaining('Private Space plans-space'),
      });
      expect(await formation('snap-spaced', b)).toEqual({ web: 2, worker: 1 });
      expect(await getMaintenance('snap-spaced', b)).toMatchObject({
        enabled: false,
        snapshot: null,
      });
      expect(await history('snap-spaced', a)).toEqual([]);
      expect(await eventCount('snap-spaced')).toBe(events);
    });

    it('refuses scale_down naming a type the app lacks with 422, changing nothing', async () => {
      await createApp('snap-unknown', { web: 1, worker: 3 });
      const events = await eventCount('snap-unknown');
      const refused = await patchMaintenance(
        'snap-unknown',
        { enabled: true, scale_down: ['worker', 'sidekiq'], freeze: true },
        b,
      ).expect(422);
      expect(refused.body).toEqual({
        id: 'invalid_params',
        message:
          'scale_down names sidekiq, which snap-unknown does not have (its process types: web, worker).',
      });
      expect(await formation('snap-unknown', a)).toEqual({ web: 1, worker: 3 });
      expect(await history('snap-unknown', a)).toEqual([]);
      expect(await getMaintenance('snap-unknown', a)).toMatchObject({
        enabled: false,
        freeze: false,
      });
      expect(await eventCount('snap-unknown')).toBe(events);
    });
  });

  describe('freeze', () => {
    /** A slug of `app` with its archive uploaded, ready to release. */
    async function slugOf(app: string, on: TestApp): Promise<string> {
      const created = await on
        .http()
        .post(`/apps/${app}/slugs`)
        .set(as())
        .send({ process_types: { web: 'node web.js', worker: 'node worker.js' } })
        .expect(201);
      const url = new URL(created.body.blob.url);
      await on
        .http()
        .put(`${url.pathname}${url.search}`)
        .set('Content-Type', 'application/gzip')
        .send(await appArchive({ 'web.js': 'console.log(1)\n' }))
        .expect(200);
      return created.body.id as string;
    }
    const configVars = async (app: string, on: TestApp) =>
      (await on.http().get(`/apps/${app}/config-vars`).set(as()).expect(200)).body;
    const expectFrozen = (response: { status: number; body: unknown }, app: string) => {
      expect(response.status).toBe(423);
      expect(response.body).toEqual({
        id: 'frozen',
        message: expect.stringContaining(
          `Unfreeze it with PATCH /apps/${app}/maintenance {"freeze": false}`,
        ),
      });
    };

    it('refuses config vars, process types, releases and rollbacks with 423, changing nothing', async () => {
      await createApp('frozen-app', { web: 1, worker: 1 });
      await a.http().patch('/apps/frozen-app/config-vars').set(as()).send({ A: '1' }).expect(200);
      const slug = await slugOf('frozen-app', b);
      await patchMaintenance('frozen-app', { enabled: true, freeze: true }, a).expect(200);
      const releases = await releaseCount('frozen-app');
      const processTypes = (
        await a.http().get('/apps/frozen-app/process-types').set(as()).expect(200)
      ).body;

      expectFrozen(
        await b.http().patch('/apps/frozen-app/config-vars').set(as()).send({ A: '2', B: '3' }),
        'frozen-app',
      );
      expectFrozen(
        await a
          .http()
          .put('/apps/frozen-app/process-types')
          .set(as())
          .send({ web: 'npm start', clock: 'node clock.js' }),
        'frozen-app',
      );
      expectFrozen(
        await b.http().post('/apps/frozen-app/releases').set(as()).send({ release: 'v1' }),
        'frozen-app',
      );
      expectFrozen(
        await a.http().post('/apps/frozen-app/releases').set(as()).send({ slug }),
        'frozen-app',
      );
      // A config patch that changes nothing is no release: a 200 no-op, frozen or not.
      await b.http().patch('/apps/frozen-app/config-vars').set(as()).send({ A: '1' }).expect(200);

      expect(await releaseCount('frozen-app')).toBe(releases);
      expect(await configVars('frozen-app', a)).toEqual({ A: '1' });
      expect(
        (await b.http().get('/apps/frozen-app/process-types').set(as()).expect(200)).body,
      ).toEqual(processTypes);
      expect(await formation('frozen-app', b)).toEqual({ web: 1, worker: 1 });
    });

    it('lets scaling, restarts and one-off dynos through', async () => {
      await createApp('frozen-ops', { web: 1, worker: 1 });
      await patchMaintenance('frozen-ops', { enabled: true, freeze: true }, b).expect(200);
      const releases = await releaseCount('frozen-ops');
      await scale('frozen-ops', 'worker', 2, a).expect(200);
      await b.http().delete('/apps/frozen-ops/dynos').set(as()).expect(202);
      const oneOff = await a
        .http()
        .post('/apps/frozen-ops/dynos')
        .set(as())
        .send({ command: 'rake db:migrate' })
        .expect(201);
      expect(oneOff.body).toMatchObject({ name: 'run.1', command: 'rake db:migrate' });
      expect(await formation('frozen-ops', b)).toEqual({ web: 1, worker: 2 });
      expect(await releaseCount('frozen-ops')).toBe(releases);
      expect(await getMaintenance('frozen-ops', a)).toMatchObject({ enabled: true, freeze: true });
    });

    it('ends with the maintenance, or when unfrozen as the 423 says', async () => {
      await createApp('frozen-end', { web: 1 });
      await patchMaintenance('frozen-end', { enabled: true, freeze: true }, a).expect(200);
      expectFrozen(
        await b.http().patch('/apps/frozen-end/config-vars').set(as()).send({ A: '1' }),
        'frozen-end',
      );
      await patchMaintenance('frozen-end', { freeze: false }, b).expect(200);
      await a.http().patch('/apps/frozen-end/config-vars').set(as()).send({ A: '1' }).expect(200);
      expect(await getMaintenance('frozen-end', b)).toMatchObject({ enabled: true, freeze: false });

      await patchMaintenance('frozen-end', { freeze: true }, b).expect(200);
      expectFrozen(
        await a.http().patch('/apps/frozen-end/config-vars').set(as()).send({ A: '2' }),
        'frozen-end',
      );
      await a.http().patch('/apps/frozen-end').set(as()).send({ maintenance: false }).expect(200);
      const releases = await releaseCount('frozen-end');
      await b.http().patch('/apps/frozen-end/config-vars').set(as()).send({ A: '2' }).expect(200);
      expect(await releaseCount('frozen-end')).toBe(releases + 1);
      expect(await getMaintenance('frozen-end', a)).toMatchObject({
        enabled: false,
        freeze: false,
      });
    });
  });

  describe('overdue', () => {
    const overdueEntries = async (app: string, on: TestApp) =>
      (await history(app, on)).filter((entry) => entry.action === 'maintenance.overdue');
    const auditOverdue = async (app: string, on: TestApp) =>
      (
        (await on.http().get(`/apps/${app}/audit-events`).set(as()).expect(200)).body as {
          action: string;
          data: unknown;
        }[]
      ).filter((event) => event.action === 'maintenance.overdue');
    const watched = (stream: SseStream, app: string) =>
      stream.messages
        .map((message) => JSON.parse(message.data) as WatchedChange)
        .filter((change) => change.app_name === app);
    /** The app[api] lines of `app`, read through a log session on `on`. */
    async function apiLines(app: string, on: TestApp): Promise<string[]> {
      const session = await on
        .http()
        .post(`/apps/${app}/log-sessions`)
        .set(as())
        .send({ dyno: 'api', lines: 100, tail: false })
        .expect(201);
      const stream = await openSse(session.body.logplex_url, {});
      streams.push(stream);
      expect(stream.status).toBe(200);
      await stream.until(() => stream.ended);
      return stream.messages.map((message) => message.data.replace(/^\S+ app\[api\]: /, ''));
    }

    it('records maintenance.overdue exactly once: history, audit trail, watch stream and app log', async () => {
      const appId = await createApp('overdue-once', { web: 1 });
      const watch = await openSse(
        `http://127.0.0.1:${portB}/routing/v1/watch`,
        bearer(routerToken),
      );
      streams.push(watch);
      expect(watch.status).toBe(200);

      const on = await patchMaintenance(
        'overdue-once',
        { enabled: true, reason: 'long migration', max_duration: 1 },
        a,
      ).expect(200);
      expect(on.body).toMatchObject({
        max_duration: 1,
        auto_off_when_overdue: false,
        overdue_at: null,
        ends_at: null,
      });
      const [entry] = await eventually(async () => {
        const entries = await overdueEntries('overdue-once', b);
        expect(entries).toHaveLength(1);
        return entries;
      }, FIRES_WITHIN_MS);
      const since = on.body.changed_at as string;
      expect(entry).toMatchObject({
        action: 'maintenance.overdue',
        enabled: true,
        source: 'overdue',
        reason: `on since ${since}, longer than its max_duration of 1 s`,
      });
      const after = await getMaintenance('overdue-once', a);
      expect(after).toMatchObject({ enabled: true, reason: 'long migration' });
      expect(Date.parse(after.overdue_at)).toBeGreaterThanOrEqual(Date.parse(since) + 1000);

      // Further chances, on either replica, as the minute sweep would take them: nothing more.
      expect(await a.app.get(MaintenanceOverdue).check(appId)).toBe(false);
      expect(await b.app.get(MaintenanceOverdue).check(appId)).toBe(false);
      // A later change of the app: once the stream has it, it has everything before it.
      await scale('overdue-once', 'web', 2, b).expect(200);
      await watch.until(() =>
        watched(watch, 'overdue-once').some((change) => change.action === 'formation.update'),
      );

      expect(await overdueEntries('overdue-once', a)).toHaveLength(1);
      expect(await auditOverdue('overdue-once', b)).toEqual([
        expect.objectContaining({ data: { since, max_duration: 1, auto_off: false } }),
      ]);
      expect(
        watched(watch, 'overdue-once').filter((change) => change.action === 'maintenance.overdue'),
      ).toHaveLength(1);
      const overdueLines = (await apiLines('overdue-once', a)).filter((line) =>
        line.startsWith('Maintenance mode is overdue'),
      );
      expect(overdueLines).toEqual([
        `Maintenance mode is overdue: on since ${since}, longer than its max duration of 1 s`,
      ]);
    });

    it('with auto_off_when_overdue turns maintenance off (source overdue), restoring the snapshot', async () => {
      await createApp('overdue-off', { web: 1, worker: 2 });
      const on = await patchMaintenance(
        'overdue-off',
        { enabled: true, scale_down: ['worker'], max_duration: 1, auto_off_when_overdue: true },
        b,
      ).expect(200);
      expect(Date.parse(on.body.ends_at)).toBe(Date.parse(on.body.changed_at) + 1000);
      expect(await formation('overdue-off', a)).toEqual({ web: 1, worker: 0 });

      await eventually(
        async () => expect((await getMaintenance('overdue-off', a)).enabled).toBe(false),
        FIRES_WITHIN_MS,
      );
      expect(await formation('overdue-off', b)).toEqual({ web: 1, worker: 2 });
      expect(await getMaintenance('overdue-off', b)).toMatchObject({
        snapshot: null,
        ends_at: null,
        overdue_at: null,
      });
      expect(
        (await history('overdue-off', a)).map((entry) => [entry.action, entry.source]),
      ).toEqual([
        ['maintenance.disable', 'overdue'],
        ['maintenance.overdue', 'overdue'],
        ['maintenance.enable', 'api'],
      ]);
      expect(await auditOverdue('overdue-off', a)).toEqual([
        expect.objectContaining({
          data: { since: on.body.changed_at, max_duration: 1, auto_off: true },
        }),
      ]);
      const lines = await apiLines('overdue-off', b);
      expect(lines).toContain(
        `Maintenance mode is overdue: on since ${on.body.changed_at}, longer than its max duration of 1 s; turning it off`,
      );
      expect(lines).toContain('Disable maintenance mode by user plans-owner@example.com (overdue)');
    });
  });

  describe('scheduler and routing views', () => {
    it('the scheduler sees the next window once planned, then the active one while it lasts', async () => {
      await createApp('sched-window', { web: 1, worker: 1 });
      const startsAt = new Date(Date.now() + 2000);
      const created = await a
        .http()
        .post('/apps/sched-window/maintenance/windows')
        .set(as())
        .send({
          starts_at: startsAt.toISOString(),
          ends_at: new Date(startsAt.getTime() + 3000).toISOString(),
          reason: 'Rotating credentials',
        })
        .expect(201);
      const planned = {
        id: created.body.id,
        starts_at: created.body.starts_at,
        ends_at: created.body.ends_at,
        reason: 'Rotating credentials',
        auto_off: true,
      };
      await eventually(async () =>
        expect(await scheduling('sched-window', b)).toMatchObject({
          maintenance: false,
          jobs_may_run: true,
          active_window: null,
          next_window: { ...planned, state: 'scheduled' },
        }),
      );
      await eventually(async () => {
        for (const on of [a, b]) {
          expect(await scheduling('sched-window', on)).toMatchObject({
            maintenance: true,
            active_window: { ...planned, state: 'active' },
            next_window: null,
          });
        }
      }, FIRES_WITHIN_MS);
      await eventually(
        async () =>
          expect(await scheduling('sched-window', b)).toMatchObject({
            maintenance: false,
            active_window: null,
            next_window: null,
          }),
        FIRES_WITHIN_MS,
      );
    });

    it("jobs 'pause' holds the app's jobs in maintenance only, and lasts across switches", async () => {
      await createApp('sched-pause', { web: 1 });
      const paused = await patchMaintenance('sched-pause', { jobs: 'pause' }, a).expect(200);
      expect(paused.body).toMatchObject({ enabled: false, jobs: 'pause' });
      await eventually(async () =>
        expect(await scheduling('sched-pause', b)).toMatchObject({
          maintenance: false,
          jobs: 'pause',
          jobs_may_run: true,
        }),
      );

      await patchMaintenance('sched-pause', { enabled: true }, b).expect(200);
      await eventually(async () =>
        expect(await scheduling('sched-pause', a)).toMatchObject({
          maintenance: true,
          jobs: 'pause',
          jobs_may_run: false,
          reason: 'the app is in maintenance and its jobs policy is pause',
        }),
      );
      await a.http().patch('/apps/sched-pause').set(as()).send({ maintenance: false }).expect(200);
      await eventually(async () =>
        expect(await scheduling('sched-pause', b)).toMatchObject({
          maintenance: false,
          jobs: 'pause',
          jobs_may_run: true,
        }),
      );
      // heroku maintenance:on: the policy is the app's, not the maintenance's.
      await b.http().patch('/apps/sched-pause').set(as()).send({ maintenance: true }).expect(200);
      await eventually(async () =>
        expect(await scheduling('sched-pause', a)).toMatchObject({
          maintenance: true,
          jobs_may_run: false,
        }),
      );
      expect((await getMaintenance('sched-pause', b)).jobs).toBe('pause');
    });

    it('a jobs policy sent with the switch itself reaches the scheduler views', async () => {
      await createApp('sched-with-switch', { web: 1 });
      await patchMaintenance('sched-with-switch', { enabled: true, jobs: 'pause' }, a).expect(200);
      await eventually(async () => {
        for (const on of [a, b]) {
          expect(await scheduling('sched-with-switch', on)).toMatchObject({
            maintenance: true,
            jobs: 'pause',
            jobs_may_run: false,
          });
        }
      });
      await patchMaintenance('sched-with-switch', { enabled: false, jobs: 'run' }, b).expect(200);
      await patchMaintenance('sched-with-switch', { enabled: true }, a).expect(200);
      await eventually(async () => {
        for (const on of [a, b]) {
          expect(await scheduling('sched-with-switch', on)).toMatchObject({
            maintenance: true,
            jobs: 'run',
            jobs_may_run: true,
          });
        }
      });
    });

    it('DRYDOCK_PAUSE_JOBS_IN_MAINTENANCE=true still holds the jobs with the policy run', async () => {
      await createApp('sched-var', { web: 1 });
      await b
        .http()
        .patch('/apps/sched-var/config-vars')
        .set(as())
        .send({ DRYDOCK_PAUSE_JOBS_IN_MAINTENANCE: 'true' })
        .expect(200);
      await patchMaintenance('sched-var', { enabled: true }, a).expect(200);
      await eventually(async () =>
        expect(await scheduling('sched-var', b)).toMatchObject({
          maintenance: true,
          jobs: 'run',
          jobs_may_run: false,
          reason: 'the app is in maintenance and sets DRYDOCK_PAUSE_JOBS_IN_MAINTENANCE=true',
        }),
      );
      expect((await getMaintenance('sched-var', a)).jobs).toBe('run');
      await patchMaintenance('sched-var', { enabled: false }, b).expect(200);
      await eventually(async () =>
        expect(await scheduling('sched-var', a)).toMatchObject({
          maintenance: false,
          jobs_may_run: true,
        }),
      );
    });

    it("each replica's routing view hears what the other wrote, ends_at included", async () => {
      await createApp('view-replicas', { web: 1 });
      const on = await patchMaintenance(
        'view-replicas',
        { enabled: true, max_duration: 3600, auto_off_when_overdue: true },
        a,
      ).expect(200);
      expect(Date.parse(on.body.ends_at)).toBe(Date.parse(on.body.changed_at) + 3600 * 1000);
      await eventually(async () =>
        expect(await routing('view-replicas', b)).toMatchObject({
          maintenance: true,
          maintenance_ends_at: on.body.ends_at,
        }),
      );
      await patchMaintenance('view-replicas', { enabled: false }, b).expect(200);
      await eventually(async () =>
        expect(await routing('view-replicas', a)).toMatchObject({
          maintenance: false,
          maintenance_ends_at: null,
        }),
      );
    });
  });
});
