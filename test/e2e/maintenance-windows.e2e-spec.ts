import { MaintenanceWindowTransitions } from '../../src/maintenance-windows/maintenance-window-transitions.service.js';
import { createScaledApp } from '../support/scaled-app.js';
import { eventually } from '../support/eventually.js';
import { bearer, startTestApp, TestApp } from '../support/test-app.js';

/** Windows start and end on the job engine, which polls every 500 ms. */
const FIRES_WITHIN_MS = 15_000;
const HOUR_MS = 3600 * 1000;
const ENV = { MAINTENANCE_WINDOW_MAX_HOURS: '1' };

interface Window {
  id: string;
  starts_at: string;
  ends_at: string;
  state: string;
  [field: string]: unknown;
}

/**
 * Scheduled maintenance windows through HTTP, on two API replicas sharing one PostgreSQL:
 * planned, listed and cancelled on either, started and ended by whichever replica's job
 * runner takes the job, each transition exactly once.
 */
describe('maintenance windows, on two replicas', () => {
  let a: TestApp;
  let b: TestApp;
  let owner: { id: string; token: string };
  let other: { id: string; token: string };
  let routerToken: string;

  beforeAll(async () => {
    a = await startTestApp(ENV);
    b = await startTestApp(ENV, { reset: false });
    owner = await a.createUser('windows-owner@example.com');
    other = await b.createUser('windows-other@example.com');
    routerToken = await a.mintToken(['routing']);
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  const as = (token = owner.token) => bearer(token);
  const createApp = (name: string, quantities: Record<string, number>) =>
    createScaledApp(a, b, owner.token, name, quantities);
  const at = (fromNowMs: number) => new Date(Date.now() + fromNowMs);
  const later = (date: Date, ms: number) => new Date(date.getTime() + ms);
  const plan = (app: string, body: object, on: TestApp, token = owner.token) =>
    on.http().post(`/apps/${app}/maintenance/windows`).set(as(token)).send(body);
  const windowOf = async (app: string, id: string, on: TestApp) =>
    (await on.http().get(`/apps/${app}/maintenance/windows/${id}`).set(as()).expect(200))
      .body as Window;
  const cancel = (app: string, id: string, on: TestApp) =>
    on.http().delete(`/apps/${app}/maintenance/windows/${id}`).set(as());
  const windowCount = (appId: string) => a.prisma.maintenanceWindow.count({ where: { appId } });
  const eventCount = (appId: string) => a.prisma.event.count({ where: { appId } });
  const getMaintenance = async (app: string, on: TestApp) =>
    (await on.http().get(`/apps/${app}/maintenance`).set(as()).expect(200)).body;
  const history = async (app: string, on: TestApp) =>
    (
      (await on.http().get(`/apps/${app}/maintenance/history`).set(as()).expect(200)).body as {
        action: string;
        reason: string | null;
        source: string;
      }[]
    ).map((entry) => [entry.action, entry.source, entry.reason]);
  const formation = async (app: string, on: TestApp) =>
    Object.fromEntries(
      (await on.http().get(`/apps/${app}/formation`).set(as()).expect(200)).body.map(
        (row: { type: string; quantity: number }) => [row.type, row.quantity],
      ),
    );
  /** The window.state moves the audit trail has for window `id`, oldest first. */
  const moves = async (app: string, id: string, on: TestApp) =>
    (
      (await on.http().get(`/apps/${app}/audit-events`).set(as()).expect(200)).body as {
        action: string;
        data: { window_id?: string; from?: string; to?: string };
      }[]
    )
      .filter((event) => event.action === 'window.state' && event.data.window_id === id)
      .map((event) => `${event.data.from}->${event.data.to}`)
      .reverse();
  const waitForState = (app: string, id: string, state: string, on: TestApp) =>
    eventually(async () => {
      const window = await windowOf(app, id, on);
      expect(window.state).toBe(state);
      return window;
    }, FIRES_WITHIN_MS);
  /** The sweep's second chance at every transition of `id`, from both replicas: nothing moves. */
  async function secondChances(id: string): Promise<void> {
    for (const replica of [a, b]) {
      const transitions = replica.app.get(MaintenanceWindowTransitions);
      expect(await transitions.start(id)).toBe(false);
      expect(await transitions.end(id)).toBe(false);
    }
  }

  describe('the API', () => {
    it('plans a window: 201 with exactly its fields, the same from the other replica', async () => {
      const appId = await createApp('win-create', { web: 1, worker: 2 });
      const startsAt = at(24 * HOUR_MS);
      const created = await plan(
        'win-create',
        {
          // A zone other than Z is taken, and answered in UTC.
          starts_at: startsAt.toISOString().replace('Z', '+00:00'),
          ends_at: later(startsAt, HOUR_MS).toISOString(),
          reason: 'Upgrading PostgreSQL',
          scale_down: ['worker'],
        },
        a,
      ).expect(201);
      expect(created.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        starts_at: startsAt.toISOString(),
        ends_at: later(startsAt, HOUR_MS).toISOString(),
        reason: 'Upgrading PostgreSQL',
        scale_down: ['worker'],
        auto_off: true,
        freeze: false,
        max_duration: null,
        auto_off_when_overdue: false,
        state: 'scheduled',
        created_by: { id: owner.id, email: 'windows-owner@example.com' },
        created_at: expect.any(String),
        updated_at: expect.any(String),
      });
      expect(Date.parse(created.body.created_at)).not.toBeNaN();
      expect(await windowOf('win-create', created.body.id, b)).toEqual(created.body);

      const explicit = await plan(
        'win-create',
        {
          starts_at: later(startsAt, 2 * HOUR_MS).toISOString(),
          ends_at: later(startsAt, 3 * HOUR_MS).toISOString(),
          auto_off: false,
          freeze: true,
          max_duration: 600,
          auto_off_when_overdue: true,
        },
        b,
      ).expect(201);
      expect(explicit.body).toMatchObject({
        reason: null,
        scale_down: [],
        auto_off: false,
        freeze: true,
        max_duration: 600,
        auto_off_when_overdue: true,
        state: 'scheduled',
      });
      expect(await windowCount(appId)).toBe(2);
      // Planning switches nothing.
      expect(await getMaintenance('win-create', a)).toMatchObject({ enabled: false, window: null });
    });

    it('lists windows by start, Range-paginated with Next-Range', async () => {
      await createApp('win-list', { web: 1 });
      const base = at(24 * HOUR_MS);
      // Planned out of order: the list is by start, not by creation.
      for (const offset of [4, 0, 2]) {
        await plan(
          'win-list',
          {
            starts_at: later(base, offset * HOUR_MS).toISOString(),
            ends_at: later(base, (offset + 1) * HOUR_MS).toISOString(),
          },
          offset === 0 ? b : a,
        ).expect(201);
      }
      const all = (await b.http().get('/apps/win-list/maintenance/windows').set(as()).expect(200))
        .body as Window[];
      expect(all.map((window) => window.starts_at)).toEqual(
        [0, 2, 4].map((offset) => later(base, offset * HOUR_MS).toISOString()),
      );

      const first = await a
        .http()
        .get('/apps/win-list/maintenance/windows')
        .set(as())
        .set('Range', 'starts_at ..; max=2')
        .expect(206);
      expect(first.body).toEqual(all.slice(0, 2));
      expect(first.headers['next-range']).toBe(
        `starts_at ]${all[1].starts_at}..; max=2, order=asc`,
      );
      const rest = await b
        .http()
        .get('/apps/win-list/maintenance/windows')
        .set(as())
        .set('Range', first.headers['next-range'])
        .expect(200);
      expect(rest.body).toEqual(all.slice(2));
      expect(rest.headers['next-range']).toBeUndefined();
    });

    it('cancels a scheduled window: 200 with state cancelled; cancelling it again is 409', async () => {
      const appId = await createApp('win-cancel', { web: 1 });
      const startsAt = at(24 * HOUR_MS);
      const span = {
        starts_at: startsAt.toISOString(),
        ends_at: later(startsAt, HOUR_MS).toISOString(),
      };
      const created = await plan('win-cancel', span, a).expect(201);
      const cancelled = await cancel('win-cancel', created.body.id, b).expect(200);
      expect(cancelled.body).toEqual({
        ...created.body,
        state: 'cancelled',
        updated_at: expect.any(String),
      });
      expect((await windowOf('win-cancel', created.body.id, a)).state).toBe('cancelled');
      const events = await eventCount(appId);
      const again = await cancel('win-cancel', created.body.id, a).expect(409);
      expect(again.body).toEqual({
        id: 'conflict',
        message: expect.stringContaining('already cancelled'),
      });
      expect(await eventCount(appId)).toBe(events);
      expect(await moves('win-cancel', created.body.id, b)).toEqual(['scheduled->cancelled']);
      // A cancelled window holds no time: the same span can be planned again.
      await plan('win-cancel', span, b).expect(201);
    });

    it('refuses times that are not ISO 8601 with a zone with 422, creating nothing', async () => {
      const appId = await createApp('win-times', { web: 1 });
      const events = await eventCount(appId);
      const good = at(24 * HOUR_MS).toISOString();
      for (const bad of [
        'tomorrow',
        '2026-12-01',
        '2026-12-01T18:00:00',
        '2026-12-01 18:00Z',
        '',
      ]) {
        for (const [field, body] of [
          ['starts_at', { starts_at: bad, ends_at: good }],
          ['ends_at', { starts_at: good, ends_at: bad }],
        ] as const) {
          const refused = await plan('win-times', body, a).expect(422);
          expect(refused.body).toEqual({
            id: 'invalid_params',
            message: `${field} must be an ISO 8601 time with a zone, such as 2026-12-01T18:00:00Z; got "${bad}".`,
          });
        }
      }
      for (const body of [
        { starts_at: good },
        { ends_at: good },
        { starts_at: 1, ends_at: good },
      ]) {
        expect((await plan('win-times', body, b).expect(422)).body.id).toBe('invalid_params');
      }
      expect(await windowCount(appId)).toBe(0);
      expect(await eventCount(appId)).toBe(events);
    });

    it('refuses an end before the start, a start in the past and a window over MAINTENANCE_WINDOW_MAX_HOURS', async () => {
      const appId = await createApp('win-span', { web: 1 });
      const events = await eventCount(appId);
      const startsAt = at(24 * HOUR_MS);
      const refusals: [object, RegExp][] = [
        [
          { starts_at: startsAt.toISOString(), ends_at: later(startsAt, -60_000).toISOString() },
          /^ends_at .* must be after starts_at/,
        ],
        [
          { starts_at: startsAt.toISOString(), ends_at: startsAt.toISOString() },
          /^ends_at .* must be after starts_at/,
        ],
        [
          { starts_at: at(-60_000).toISOString(), ends_at: at(HOUR_MS / 2).toISOString() },
          /is not in the future/,
        ],
        [
          {
            starts_at: startsAt.toISOString(),
            ends_at: later(startsAt, HOUR_MS + 1000).toISOString(),
          },
          /windows last at most 1 h \(MAINTENANCE_WINDOW_MAX_HOURS\)/,
        ],
      ];
      for (const [body, message] of refusals) {
        const refused = await plan('win-span', body, b).expect(422);
        expect(refused.body.id).toBe('invalid_params');
        expect(refused.body.message).toMatch(message);
      }
      expect(await windowCount(appId)).toBe(0);
      expect(await eventCount(appId)).toBe(events);
      // Exactly the maximum is allowed.
      await plan(
        'win-span',
        { starts_at: startsAt.toISOString(), ends_at: later(startsAt, HOUR_MS).toISOString() },
        a,
      ).expect(201);
    });

    it('refuses a window overlapping an open one with 409; back to back is fine', async () => {
      const appId = await createApp('win-overlap', { web: 1 });
      const startsAt = at(24 * HOUR_MS);
      const first = await plan(
        'win-overlap',
        { starts_at: startsAt.toISOString(), ends_at: later(startsAt, HOUR_MS).toISOString() },
        a,
      ).expect(201);
      const events = await eventCount(appId);
      for (const [from, to] of [
        [30, 90],
        [-30, 30],
        [10, 20],
        [-5, 50],
      ]) {
        const refused = await plan(
          'win-overlap',
          {
            starts_at: later(startsAt, from * 60_000).toISOString(),
            ends_at: later(startsAt, to * 60_000).toISOString(),
          },
          b,
        ).expect(409);
        expect(refused.body).toEqual({
          id: 'conflict',
          message: expect.stringContaining(`scheduled window ${first.body.id}`),
        });
      }
      expect(await windowCount(appId)).toBe(1);
      expect(await eventCount(appId)).toBe(events);
      await plan(
        'win-overlap',
        {
          starts_at: later(startsAt, HOUR_MS).toISOString(),
          ends_at: later(startsAt, 2 * HOUR_MS).toISOString(),
        },
        b,
      ).expect(201);
    });

    it("answers 403 for someone else's app and 404 for an unknown window or app", async () => {
      const appId = await createApp('win-access', { web: 1 });
      const startsAt = at(24 * HOUR_MS);
      const span = {
        starts_at: startsAt.toISOString(),
        ends_at: later(startsAt, HOUR_MS).toISOString(),
      };
      const created = await plan('win-access', span, a).expect(201);
      const path = '/apps/win-access/maintenance/windows';
      for (const response of [
        await plan('win-access', span, b, other.token),
        await b.http().get(path).set(as(other.token)),
        await a.http().get(`${path}/${created.body.id}`).set(as(other.token)),
        await b.http().delete(`${path}/${created.body.id}`).set(as(other.token)),
      ]) {
        expect(response.status).toBe(403);
        expect(response.body.id).toBe('forbidden');
      }
      const unknown = '00000000-0000-4000-8000-000000000000';
      for (const response of [
        await a.http().get(`${path}/${unknown}`).set(as()),
        await b.http().delete(`${path}/${unknown}`).set(as()),
        await a.http().get(`${path}/not-a-window`).set(as()),
        await b.http().delete(`${path}/not-a-window`).set(as()),
        await a.http().get('/apps/win-nowhere/maintenance/windows').set(as()),
        await plan('win-nowhere', span, b),
      ]) {
        expect(response.status).toBe(404);
        expect(response.body.id).toBe('not_found');
      }
      expect((await windowOf('win-access', created.body.id, b)).state).toBe('scheduled');
      expect(await windowCount(appId)).toBe(1);
    });

    it('refuses scale_down naming a type the app lacks with 422, creating nothing', async () => {
      const appId = await createApp('win-types', { web: 1, worker: 1 });
      const events = await eventCount(appId);
      const startsAt = at(24 * HOUR_MS);
      const refused = await plan(
        'win-types',
        {
          starts_at: startsAt.toISOString(),
          ends_at: later(startsAt, HOUR_MS).toISOString(),
          scale_down: ['worker', 'clock'],
        },
        a,
      ).expect(422);
      expect(refused.body).toEqual({
        id: 'invalid_params',
        message:
          'scale_down names clock, which win-types does not have (its process types: web, worker).',
      });
      expect(await windowCount(appId)).toBe(0);
      expect(await eventCount(appId)).toBe(events);
    });
  });

  describe('transitions', () => {
    it('turns maintenance on at starts_at and off at ends_at, each exactly once across the replicas', async () => {
      await createApp('win-auto', { web: 1, worker: 2 });
      const startsAt = at(2000);
      const created = await plan(
        'win-auto',
        {
          starts_at: startsAt.toISOString(),
          ends_at: later(startsAt, 3000).toISOString(),
          reason: 'Upgrading PostgreSQL',
          scale_down: ['worker'],
        },
        b,
      ).expect(201);
      const { id, ends_at: endsAt } = created.body as Window;

      await eventually(
        async () =>
          expect(await getMaintenance('win-auto', a)).toMatchObject({
            enabled: true,
            reason: 'Upgrading PostgreSQL',
            window: { id },
            ends_at: endsAt,
            snapshot: [{ type: 'worker', quantity: 2 }],
          }),
        FIRES_WITHIN_MS,
      );
      expect(await formation('win-auto', b)).toEqual({ web: 1, worker: 0 });
      expect((await windowOf('win-auto', id, a)).state).toBe('active');
      expect(await history('win-auto', b)).toEqual([
        ['maintenance.enable', 'window', 'Upgrading PostgreSQL'],
      ]);
      await eventually(async () => {
        const entry = await b
          .http()
          .get('/routing/v1/apps/win-auto')
          .set(bearer(routerToken))
          .expect(200);
        expect(entry.body).toMatchObject({ maintenance: true, maintenance_ends_at: endsAt });
      });

      await waitForState('win-auto', id, 'completed', a);
      expect(await getMaintenance('win-auto', b)).toMatchObject({
        enabled: false,
        window: null,
        snapshot: null,
        ends_at: null,
      });
      expect(await formation('win-auto', a)).toEqual({ web: 1, worker: 2 });
      await secondChances(id);
      expect(await history('win-auto', a)).toEqual([
        ['maintenance.disable', 'window', null],
        ['maintenance.enable', 'window', 'Upgrading PostgreSQL'],
      ]);
      expect(await moves('win-auto', id, b)).toEqual(['scheduled->active', 'active->completed']);
    });

    it('cancelling an active window turns maintenance off now and restores its snapshot', async () => {
      await createApp('win-cancel-active', { web: 1, worker: 3 });
      const startsAt = at(2000);
      const created = await plan(
        'win-cancel-active',
        {
          starts_at: startsAt.toISOString(),
          ends_at: later(startsAt, HOUR_MS / 2).toISOString(),
          scale_down: ['worker'],
        },
        a,
      ).expect(201);
      const { id } = created.body as Window;
      await waitForState('win-cancel-active', id, 'active', b);
      expect(await formation('win-cancel-active', a)).toEqual({ web: 1, worker: 0 });

      const cancelled = await cancel('win-cancel-active', id, b).expect(200);
      expect(cancelled.body.state).toBe('cancelled');
      expect(await getMaintenance('win-cancel-active', a)).toMatchObject({
        enabled: false,
        window: null,
        snapshot: null,
      });
      expect(await formation('win-cancel-active', a)).toEqual({ web: 1, worker: 3 });
      expect(await history('win-cancel-active', b)).toEqual([
        ['maintenance.disable', 'api', null],
        ['maintenance.enable', 'window', null],
      ]);
      await secondChances(id);
      expect(await moves('win-cancel-active', id, a)).toEqual([
        'scheduled->active',
        'active->cancelled',
      ]);
      await cancel('win-cancel-active', id, a).expect(409);
    });

    it('without auto_off, maintenance stays on at the end and the window completes', async () => {
      await createApp('win-stay', { web: 1, worker: 2 });
      const startsAt = at(2000);
      const created = await plan(
        'win-stay',
        {
          starts_at: startsAt.toISOString(),
          ends_at: later(startsAt, 3000).toISOString(),
          reason: 'Reindexing',
          scale_down: ['worker'],
          auto_off: false,
        },
        b,
      ).expect(201);
      const { id } = created.body as Window;
      await waitForState('win-stay', id, 'active', a);
      // Nothing will turn it off: no end to announce.
      expect(await getMaintenance('win-stay', b)).toMatchObject({
        enabled: true,
        window: { id },
        ends_at: null,
      });

      await waitForState('win-stay', id, 'completed', b);
      expect(await getMaintenance('win-stay', a)).toMatchObject({
        enabled: true,
        reason: 'Reindexing',
        window: null,
        ends_at: null,
        snapshot: [{ type: 'worker', quantity: 2 }],
      });
      expect(await formation('win-stay', b)).toEqual({ web: 1, worker: 0 });
      await secondChances(id);
      expect(await history('win-stay', a)).toEqual([
        ['maintenance.enable', 'window', 'Reindexing'],
      ]);
      // Whoever turns it off later gets the snapshot back.
      const off = await b
        .http()
        .patch('/apps/win-stay/maintenance')
        .set(as())
        .send({ enabled: false })
        .expect(200);
      expect(off.body.restore.restored).toEqual([{ type: 'worker', quantity: 2 }]);
      expect(await formation('win-stay', a)).toEqual({ web: 1, worker: 2 });
    });

    it('a window starting while maintenance is on takes it over without a new switch', async () => {
      await createApp('win-takeover', { web: 1, worker: 2 });
      await a
        .http()
        .patch('/apps/win-takeover/maintenance')
        .set(as())
        .send({ enabled: true, reason: 'By hand' })
        .expect(200);
      const startsAt = at(2000);
      const created = await plan(
        'win-takeover',
        {
          starts_at: startsAt.toISOString(),
          ends_at: later(startsAt, 3000).toISOString(),
          reason: 'Planned',
          scale_down: ['worker'],
          freeze: true,
        },
        b,
      ).expect(201);
      const { id, ends_at: endsAt } = created.body as Window;
      await waitForState('win-takeover', id, 'active', a);
      expect(await getMaintenance('win-takeover', b)).toMatchObject({
        enabled: true,
        reason: 'By hand',
        window: { id },
        ends_at: endsAt,
        freeze: true,
        snapshot: [{ type: 'worker', quantity: 2 }],
      });
      expect(await history('win-takeover', a)).toEqual([['maintenance.enable', 'api', 'By hand']]);

      await waitForState('win-takeover', id, 'completed', b);
      expect(await getMaintenance('win-takeover', a)).toMatchObject({
        enabled: false,
        freeze: false,
      });
      expect(await formation('win-takeover', b)).toEqual({ web: 1, worker: 2 });
      expect(await history('win-takeover', b)).toEqual([
        ['maintenance.disable', 'window', null],
        ['maintenance.enable', 'api', 'By hand'],
      ]);
    });
  });
});
