import { AppChanges } from '../../src/app-changes/app-changes.service.js';
import type { Principal } from '../../src/common/auth/principal.js';
import { InvalidParamsError } from '../../src/common/errors/api-errors.js';
import { FormationsService } from '../../src/formations/formations.service.js';
import { NO_PLAN } from '../../src/maintenance/maintenance-plan.js';
import {
  MaintenanceSwitcher,
  OVERDUE_TASK,
} from '../../src/maintenance/maintenance-switcher.service.js';
import { MaintenanceService } from '../../src/maintenance/maintenance.service.js';
import { ADMIN_TOKEN, bearer, startTestApp, TestApp } from '../support/test-app.js';
import { adminPrincipal } from '../support/principals.js';

/**
 * Maintenance switches that bring a plan, at the service level against the real
 * PostgreSQL: the snapshot is taken and the formation scaled in the switch's own
 * transaction, the restore leaves operators' values alone, and a change that fails
 * anywhere leaves nothing behind.
 */
describe('maintenance switches with a plan', () => {
  let t: TestApp;
  let changes: AppChanges;
  let switcher: MaintenanceSwitcher;
  let maintenance: MaintenanceService;
  let formations: FormationsService;
  let admin: Principal;

  beforeAll(async () => {
    t = await startTestApp();
    changes = t.app.get(AppChanges);
    switcher = t.app.get(MaintenanceSwitcher);
    maintenance = t.app.get(MaintenanceService);
    formations = t.app.get(FormationsService);
    admin = await adminPrincipal(t);
  });
  afterAll(() => t.close());

  /** An app with these process types, scaled to `quantities`; its id. */
  async function create(
    name: string,
    quantities: Record<string, number>,
    options: { space?: string } = {},
  ): Promise<string> {
    const processTypes = Object.fromEntries(
      Object.keys(quantities).map((type) => [type, `run ${type}`]),
    );
    const created = await changes.create(
      admin,
      { name, spaceName: null, region: 'us', stack: 'heroku-24', spaceId: options.space },
      (change) => formations.declare(change, processTypes),
    );
    for (const [type, quantity] of Object.entries(quantities)) {
      await formations.update(admin, name, type, { quantity });
    }
    return created.id;
  }
  const quantities = async (appId: string) =>
    Object.fromEntries(
      (await t.prisma.formation.findMany({ where: { appId }, orderBy: { type: 'asc' } })).map(
        (row) => [row.type, row.quantity],
      ),
    );
  const overdueJobs = (appId: string) =>
    t.prisma.$queryRaw<{ run_at: Date }[]>`
      SELECT run_at FROM graphile_worker.jobs WHERE key = ${`${OVERDUE_TASK}:${appId}`}`;
  /** Everything a maintenance switch may write, for before/after comparisons. */
  const state = async (appId: string) => ({
    app: await t.prisma.app.findUniqueOrThrow({ where: { id: appId } }),
    formation: await quantities(appId),
    history: await t.prisma.maintenanceChange.findMany({ where: { appId } }),
    events: await t.prisma.event.count({ where: { appId } }),
    jobs: await overdueJobs(appId),
    dynos: await t.prisma.dyno.count({ where: { appId } }),
  });

  it("takes the snapshot and scales down in the switch's own transaction", async () => {
    const appId = await create('ms-snapshot', { web: 1, worker: 3, clock: 2 });
    const before = await state(appId);
    const seenOutside = await changes.apply(admin, 'ms-snapshot', async (change) => {
      const on = await switcher.turnOn(
        change,
        { ...NO_PLAN, reason: 'upgrade', scaleDown: ['worker', 'clock'] },
        'api',
      );
      expect(on).toMatchObject({
        maintenance: true,
        maintenanceReason: 'upgrade',
        maintenanceSnapshot: [
          { type: 'clock', quantity: 2 },
          { type: 'worker', quantity: 3 },
        ],
      });
      // Before the commit, another connection sees neither the switch nor the scale-down.
      return state(appId);
    });
    expect(seenOutside).toEqual(before);

    const after = await state(appId);
    expect(after.app).toMatchObject({
      maintenance: true,
      maintenanceReason: 'upgrade',
      maintenanceSnapshot: [
        { type: 'clock', quantity: 2 },
        { type: 'worker', quantity: 3 },
      ],
    });
    expect(after.formation).toEqual({ clock: 0, web: 1, worker: 0 });
    expect(after.history).toMatchObject([
      { action: 'maintenance.enable', enabled: true, source: 'api', reason: 'upgrade' },
    ]);
    const events = await t.prisma.event.findMany({
      where: { appId, version: { gt: after.history[0].version - 1n } },
      orderBy: { version: 'asc' },
    });
    expect(events.map((event) => [event.action, event.data])).toEqual([
      [
        'maintenance.enable',
        { from: false, to: true, reason: 'upgrade', source: 'api', ends_at: null },
      ],
      [
        'formation.update',
        {
          type: 'worker',
          quantity: { from: 3, to: 0 },
          size: { from: 'Standard-1X', to: 'Standard-1X' },
        },
      ],
      [
        'formation.update',
        {
          type: 'clock',
          quantity: { from: 2, to: 0 },
          size: { from: 'Standard-1X', to: 'Standard-1X' },
        },
      ],
      [
        'maintenance.update',
        {
          freeze: false,
          jobs: 'run',
          max_duration: null,
          auto_off_when_overdue: false,
          scale_down: ['clock', 'worker'],
          ends_at: null,
          window_id: null,
        },
      ],
    ]);
    // One transaction: consecutive versions, no other change in between.
    const versions = events.map((event) => Number(event.version));
    expect(versions).toEqual(versions.map((_, i) => versions[0] + i));
  });

  it("restores the recorded quantities, keeping an operator's value and a type that is gone", async () => {
    const appId = await create('ms-restore', { web: 1, worker: 3, clock: 2, sched: 1 });
    await maintenance.update(admin, 'ms-restore', {
      enabled: true,
      scale_down: ['worker', 'clock', 'sched'],
    });
    expect(await quantities(appId)).toEqual({ clock: 0, sched: 0, web: 1, worker: 0 });
    // During maintenance: clock is scaled by hand, sched leaves the Procfile.
    await formations.update(admin, 'ms-restore', 'clock', { quantity: 1 });
    await formations.replaceProcessTypes(admin, 'ms-restore', {
      web: 'run web',
      worker: 'run worker',
      clock: 'run clock',
    });

    const off = await maintenance.update(admin, 'ms-restore', { enabled: false });
    expect(off).toMatchObject({ enabled: false, snapshot: null, freeze: false, window: null });
    expect(off.restore).toEqual({
      restored: [{ type: 'worker', quantity: 3 }],
      kept: [
        {
          type: 'clock',
          quantity: 1,
          recorded: 2,
          why: 'clock was scaled to 1 during maintenance; that value stands',
        },
        {
          type: 'sched',
          quantity: null,
          recorded: 1,
          why: "sched is no longer one of the app's process types",
        },
      ],
    });
    expect(await quantities(appId)).toEqual({ clock: 1, web: 1, worker: 3 });
    const app = await t.prisma.app.findUniqueOrThrow({ where: { id: appId } });
    expect(app).toMatchObject({ maintenance: false, maintenanceSnapshot: null });
    const [latest] = await t.prisma.maintenanceChange.findMany({
      where: { appId },
      orderBy: { version: 'desc' },
    });
    expect(latest).toMatchObject({ action: 'maintenance.disable', previous: true, source: 'api' });
  });

  it('restores on heroku maintenance:off too, which otherwise takes the one-statement switch', async () => {
    const appId = await create('ms-mode-off', { web: 1, worker: 2 });
    await maintenance.update(admin, 'ms-mode-off', { enabled: true, scale_down: ['worker'] });
    const off = await maintenance.setMode(admin, 'ms-mode-off', false);
    expect(off).toMatchObject({ maintenance: false, maintenanceSnapshot: null });
    expect(await quantities(appId)).toEqual({ web: 1, worker: 2 });
    // Without a plan, heroku maintenance:on/off stays the one statement.
    const on = await maintenance.setMode(admin, 'ms-mode-off', true);
    expect(on).toMatchObject({ maintenance: true, maintenanceSnapshot: null });
  });

  it('while on, scale_down adds types to the snapshot, never re-recording a type at 0', async () => {
    const appId = await create('ms-amend', { web: 1, worker: 3, clock: 2 });
    await maintenance.update(admin, 'ms-amend', { enabled: true, scale_down: ['worker'] });
    const amended = await maintenance.update(admin, 'ms-amend', {
      scale_down: ['worker', 'clock'],
      freeze: true,
    });
    expect(amended).toMatchObject({
      enabled: true,
      freeze: true,
      snapshot: [
        { type: 'worker', quantity: 3 },
        { type: 'clock', quantity: 2 },
      ],
    });
    expect(await quantities(appId)).toEqual({ clock: 0, web: 1, worker: 0 });
    const switches = await t.prisma.maintenanceChange.count({ where: { appId } });
    expect(switches).toBe(1);
    const off = await maintenance.update(admin, 'ms-amend', { enabled: false });
    expect(off.restore?.restored).toEqual([
      { type: 'worker', quantity: 3 },
      { type: 'clock', quantity: 2 },
    ]);
    expect(await quantities(appId)).toEqual({ clock: 2, web: 1, worker: 3 });
  });

  it('records one maintenance.update for a jobs policy sent with a switch, plan or not', async () => {
    const updates = async (appId: string) =>
      (
        await t.prisma.event.findMany({
          where: { appId, action: 'maintenance.update' },
          orderBy: { version: 'asc' },
        })
      ).map((event) => (event.data as { jobs: string; freeze: boolean }).jobs);
    const bare = await create('ms-policy', { web: 1 });
    await maintenance.update(admin, 'ms-policy', { enabled: true, jobs: 'pause' });
    expect(await updates(bare)).toEqual(['pause']);
    await maintenance.update(admin, 'ms-policy', { enabled: false, jobs: 'run' });
    expect(await updates(bare)).toEqual(['pause', 'run']);
    // A repeat changes nothing and records nothing.
    await maintenance.update(admin, 'ms-policy', { enabled: false, jobs: 'run' });
    expect(await updates(bare)).toEqual(['pause', 'run']);

    const planned = await create('ms-policy-plan', { web: 1 });
    await maintenance.update(admin, 'ms-policy-plan', {
      enabled: true,
      jobs: 'pause',
      freeze: true,
    });
    expect(await updates(planned)).toEqual(['pause']);
  });

  it('schedules the overdue check, and dates ends_at, at changed_at + max_duration', async () => {
    const appId = await create('ms-overdue-job', { web: 1 });
    const on = await maintenance.update(admin, 'ms-overdue-job', {
      enabled: true,
      max_duration: 3600,
      auto_off_when_overdue: true,
    });
    const due = Date.parse(on.changed_at!) + 3600 * 1000;
    const jobs = await overdueJobs(appId);
    expect(jobs).toHaveLength(1);
    expect(jobs[0].run_at.getTime()).toBe(due);
    // The one instant the auto-off happens at, as routers are told it (Retry-After).
    expect(Date.parse(on.ends_at!)).toBe(due);
    const event = await t.prisma.event.findFirstOrThrow({
      where: { appId, action: 'maintenance.enable' },
    });
    expect((event.data as { ends_at: string }).ends_at).toBe(on.ends_at);
  });

  it('scale_down naming an unknown type changes nothing: no switch, history entry, event or job', async () => {
    const appId = await create('ms-unknown', { web: 1, worker: 3 });
    const before = await state(appId);
    const refused = maintenance.update(admin, 'ms-unknown', {
      enabled: true,
      reason: 'upgrade',
      scale_down: ['worker', 'sidekiq'],
      freeze: true,
      max_duration: 60,
    });
    await expect(refused).rejects.toThrow(InvalidParamsError);
    await expect(refused).rejects.toThrow(/scale_down names sidekiq, which ms-unknown does not/);
    expect(await state(appId)).toEqual(before);
    expect(before.app.maintenance).toBe(false);
  });

  it('web in a Private Space is refused the same way, changing nothing', async () => {
    const space = await t
      .http()
      .post('/spaces')
      .set(bearer(ADMIN_TOKEN))
      .send({ name: 'ms-space' })
      .expect(201);
    const appId = await create('ms-spaced', { web: 2, worker: 1 }, { space: space.body.id });
    const before = await state(appId);
    const refused = maintenance.update(admin, 'ms-spaced', {
      enabled: true,
      scale_down: ['worker', 'web'],
    });
    await expect(refused).rejects.toThrow(/Refusing to scale web down for ms-spaced/);
    expect(await state(appId)).toEqual(before);
  });

  it('a change failing after the switch and the scale-down leaves neither, nor the overdue job', async () => {
    const appId = await create('ms-fail-on', { web: 1, worker: 3 });
    const before = await state(appId);
    await expect(
      changes.apply(admin, 'ms-fail-on', async (change) => {
        await switcher.turnOn(
          change,
          { ...NO_PLAN, scaleDown: ['worker'], freeze: true, maxDuration: 60 },
          'api',
        );
        throw new Error('the change fails after the switch');
      }),
    ).rejects.toThrow('the change fails after the switch');
    expect(await state(appId)).toEqual(before);
  });

  it('a change failing during turn-off leaves the maintenance and its snapshot as they were', async () => {
    const appId = await create('ms-fail-off', { web: 1, worker: 3 });
    await maintenance.update(admin, 'ms-fail-off', { enabled: true, scale_down: ['worker'] });
    const before = await state(appId);
    await expect(
      changes.apply(admin, 'ms-fail-off', async (change) => {
        const { restore } = await switcher.turnOff(change, 'api');
        expect(restore.restored).toEqual([{ type: 'worker', quantity: 3 }]);
        throw new Error('the change fails after the restore');
      }),
    ).rejects.toThrow('the change fails after the restore');
    const after = await state(appId);
    expect(after).toEqual(before);
    expect(after.app).toMatchObject({
      maintenance: true,
      maintenanceSnapshot: [{ type: 'worker', quantity: 3 }],
    });
    expect(after.formation).toEqual({ web: 1, worker: 0 });
  });
});
