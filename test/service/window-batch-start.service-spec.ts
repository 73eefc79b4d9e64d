import pg from 'pg';
import { AppChanges } from '../../src/app-changes/app-changes.service.js';
import type { Principal } from '../../src/common/auth/principal.js';
import { FormationsService } from '../../src/formations/formations.service.js';
import { MaintenanceWindowTransitions } from '../../src/maintenance-windows/maintenance-window-transitions.service.js';
import { MaintenanceWindowsService } from '../../src/maintenance-windows/maintenance-windows.service.js';
import { WINDOW_END_TASK, WINDOW_START_TASK } from '../../src/maintenance-windows/window-tasks.js';
import { RoutingView } from '../../src/routing/routing-view.service.js';
import { eventually } from '../support/eventually.js';
import { adminPrincipal } from '../support/principals.js';
import { startTestApp, TestApp, testDatabaseUrl } from '../support/test-app.js';

/**
 * The set-based start of due windows (drydock_start_due_windows) against the real
 * PostgreSQL: it starts the plain windows exactly as the write path would, leaves every
 * window with a plan, and every app another change holds, to the write path, and a
 * window it started is never started again.
 */
describe('starting due maintenance windows together', () => {
  let t: TestApp;
  let changes: AppChanges;
  let formations: FormationsService;
  let windows: MaintenanceWindowsService;
  let transitions: MaintenanceWindowTransitions;
  let admin: Principal;

  beforeAll(async () => {
    t = await startTestApp();
    changes = t.app.get(AppChanges);
    formations = t.app.get(FormationsService);
    windows = t.app.get(MaintenanceWindowsService);
    transitions = t.app.get(MaintenanceWindowTransitions);
    admin = await adminPrincipal(t);
  });
  afterAll(() => t.close());

  async function createApp(name: string): Promise<string> {
    const created = await changes.create(
      admin,
      { name, spaceName: null, region: 'us', stack: 'heroku-24' },
      (change) => formations.declare(change, { web: 'run web', worker: 'run worker' }),
    );
    return created.id;
  }

  /**
   * Plans a window an hour ahead (its start job an hour away too), then moves its start
   * into the past by hand: due, with no job about to run it.
   */
  async function dueWindow(app: string, plan: Record<string, unknown> = {}): Promise<string> {
    const startsAt = new Date(Date.now() + 3_600_000);
    const created = await windows.create(admin, app, {
      starts_at: startsAt.toISOString(),
      ends_at: new Date(startsAt.getTime() + 3_600_000).toISOString(),
      reason: `upgrading ${app}`,
      ...plan,
    });
    await t.prisma.$executeRaw`
      UPDATE maintenance_windows SET starts_at = now() - interval '1 second' WHERE id = ${created.id}::uuid`;
    return created.id;
  }

  const windowState = async (id: string) =>
    (await t.prisma.maintenanceWindow.findUniqueOrThrow({ where: { id } })).state;
  const jobRunAt = async (key: string) =>
    (
      await t.prisma.$queryRaw<{ run_at: Date }[]>`
        SELECT run_at FROM graphile_worker.jobs WHERE key = ${key}`
    )[0]?.run_at ?? null;
  /** What starting a window wrote, without what differs between any two windows. */
  async function started(appId: string, windowId: string) {
    const app = await t.prisma.app.findUniqueOrThrow({ where: { id: appId } });
    const window = await t.prisma.maintenanceWindow.findUniqueOrThrow({ where: { id: windowId } });
    const history = await t.prisma.maintenanceChange.findMany({ where: { appId } });
    const since = history[0]?.version ?? 0n;
    const events = await t.prisma.event.findMany({
      where: { appId, version: { gte: since } },
      orderBy: { version: 'asc' },
    });
    return {
      app: {
        maintenance: app.maintenance,
        reason: app.maintenanceReason?.replace(app.name, '<app>'),
        changedBy: app.maintenanceChangedBy,
        frozen: app.maintenanceFrozen,
        snapshot: app.maintenanceSnapshot,
        maxDuration: app.maintenanceMaxDuration,
        overdueAt: app.maintenanceOverdueAt,
        endsAtIsWindowEnd: app.maintenanceEndsAt?.getTime() === window.endsAt.getTime(),
        windowIsThis: app.maintenanceWindowId === windowId,
      },
      window: window.state,
      history: history.map((entry) => ({
        action: entry.action,
        enabled: entry.enabled,
        previous: entry.previous,
        source: entry.source,
        actorId: entry.actorId,
        version: entry.version - since,
      })),
      events: events.map((event) => ({
        action: event.action,
        actorId: event.actorId,
        version: event.version - since,
        data: JSON.parse(
          JSON.stringify(event.data)
            .replaceAll(app.name, '<app>')
            .replaceAll(windowId, '<window>')
            .replaceAll(window.endsAt.toISOString(), '<ends_at>'),
        ) as unknown,
      })),
      endJobAtWindowEnd:
        (await jobRunAt(`${WINDOW_END_TASK}:${windowId}`))?.getTime() === window.endsAt.getTime(),
      startJob: await jobRunAt(`${WINDOW_START_TASK}:${windowId}`),
      apiLog: (
        await t.prisma.$queryRaw<{ message: string }[]>`
          SELECT message FROM log_lines WHERE app_id = ${appId}::uuid AND dyno = 'api'
          ORDER BY seq DESC LIMIT 2`
      ).map((line) => line.message.replaceAll(app.name, '<app>').replaceAll(windowId, '<window>')),
    };
  }

  /** Holds the app's row lock in a transaction of its own until released. */
  async function holdAppLock(appId: string) {
    const client = new pg.Client({ connectionString: testDatabaseUrl() });
    await client.connect();
    await client.query('BEGIN');
    await client.query('SELECT id FROM apps WHERE id = $1 FOR UPDATE', [appId]);
    return async () => {
      await client.query('ROLLBACK');
      await client.end();
    };
  }

  beforeEach(async () => {
    // The minute's sweep would start due windows one by one on the write path: stay clear of it.
    await eventually(() => expect(new Date().getUTCSeconds()).toBeLessThan(45), 20_000, 250);
  });

  it('starts plain windows as the write path does, and leaves the rest to it', async () => {
    const [plainA, plainB, viaWritePath, frozen, scaling, busy, on] = await Promise.all(
      [
        'wb-plain-a',
        'wb-plain-b',
        'wb-write-path',
        'wb-frozen',
        'wb-scaling',
        'wb-busy',
        'wb-on',
      ].map(createApp),
    );
    const windowA = await dueWindow('wb-plain-a');
    const windowB = await dueWindow('wb-plain-b', { auto_off: false });
    const windowFrozen = await dueWindow('wb-frozen', { freeze: true });
    const windowScaling = await dueWindow('wb-scaling', { scale_down: ['worker'] });
    const windowBusy = await dueWindow('wb-busy');
    const windowOn = await dueWindow('wb-on');
    await t.prisma.app.update({ where: { id: on }, data: { maintenance: true } });
    const release = await holdAppLock(busy);
    let count: number;
    try {
      count = await transitions.startDue();
    } finally {
      await release();
    }

    expect(count).toBe(2);
    expect(
      await Promise.all(
        [windowA, windowB, windowFrozen, windowScaling, windowBusy, windowOn].map(windowState),
      ),
    ).toEqual(['active', 'active', 'scheduled', 'scheduled', 'scheduled', 'scheduled']);

    // The same window started on the write path (its start job's way) writes the same.
    const windowWritePath = await dueWindow('wb-write-path');
    expect(await transitions.start(windowWritePath)).toBe(true);
    const expected = await started(viaWritePath, windowWritePath);
    expect(expected).toMatchObject({
      app: { maintenance: true, reason: 'upgrading <app>', changedBy: admin.accountId },
      window: 'active',
      history: [{ action: 'maintenance.enable', source: 'window' }],
      events: [{ action: 'maintenance.enable' }, { action: 'window.state', version: 1n }],
      endJobAtWindowEnd: true,
      apiLog: [
        'Maintenance window <window> is now active',
        `Enable maintenance mode by user ${admin.email} (window): upgrading <app>`,
      ],
    });
    // The batch also removed the start job it made redundant (start() was called directly).
    expect(expected.startJob).not.toBeNull();
    expect(await started(plainA, windowA)).toEqual({ ...expected, startJob: null });

    // Without auto_off the maintenance has no planned end.
    const app = await t.prisma.app.findUniqueOrThrow({ where: { id: plainB } });
    expect([app.maintenance, app.maintenanceEndsAt, app.maintenanceWindowId]).toEqual([
      true,
      null,
      windowB,
    ]);
    const [enable] = await t.prisma.event.findMany({
      where: { appId: plainB, action: 'maintenance.enable' },
    });
    expect(enable.data).toMatchObject({ source: 'window', ends_at: null });

    // The apps they left alone: untouched, their start jobs still there.
    for (const [appId, windowId] of [
      [frozen, windowFrozen],
      [scaling, windowScaling],
      [busy, windowBusy],
    ]) {
      const untouched = await t.prisma.app.findUniqueOrThrow({ where: { id: appId } });
      expect([untouched.maintenance, untouched.maintenanceWindowId]).toEqual([false, null]);
      expect(await t.prisma.maintenanceChange.count({ where: { appId } })).toBe(0);
      expect(await jobRunAt(`${WINDOW_START_TASK}:${windowId}`)).not.toBeNull();
    }

    // Once the other change let go, the busy app's window starts; nothing starts twice.
    expect(await transitions.startDue()).toBe(1);
    expect(await windowState(windowBusy)).toBe('active');
    expect(await transitions.startDue()).toBe(0);
    expect(await transitions.start(windowA)).toBe(false);
    expect(await t.prisma.maintenanceChange.count({ where: { appId: plainA } })).toBe(1);
  });

  it('starts more due windows than one batch holds, each once', async () => {
    const names = Array.from({ length: 230 }, (_, i) => `wb-many-${i}`);
    const ids: string[] = [];
    for (const name of names) ids.push(await createApp(name));
    await t.prisma.$executeRaw`
      INSERT INTO maintenance_windows (app_id, starts_at, ends_at, reason)
      SELECT id, now() - interval '1 second', now() + interval '1 hour', 'many'
      FROM apps WHERE id = ANY(${ids}::uuid[])`;

    // Two at once, as two replicas' start jobs: they split the windows between them.
    const counts = await Promise.all([transitions.startDue(), transitions.startDue()]);
    expect(counts[0] + counts[1]).toBe(names.length);
    expect(await t.prisma.app.count({ where: { id: { in: ids }, maintenance: true } })).toBe(
      names.length,
    );
    expect(await t.prisma.maintenanceChange.count({ where: { appId: { in: ids } } })).toBe(
      names.length,
    );
    // Every replica's change feed hears of them: the view has them all in maintenance.
    const view = t.app.get(RoutingView);
    await eventually(() =>
      expect(names.filter((name) => view.lookup(name)?.maintenance)).toEqual(names),
    );
  });
});
